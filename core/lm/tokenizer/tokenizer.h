// A byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json (Qwen2/Qwen3
// layout: NFC normaliser, the Qwen split regex + ByteLevel pre-tokenizer, BPE model,
// ByteLevel decoder, added tokens matched whole before anything else).
//
//   auto tok = ps::tokenizer::Tokenizer::from_file("models/Qwen3-0.6B");
//   std::vector<int32_t> ids = tok.encode("<|im_start|>user\nHello<|im_end|>\n");
//   std::string text = tok.decode(ids, /*skip_special=*/true);
//
// Copies share the loaded tables (cheap to copy); encode/decode are thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ps::tokenizer {

struct AddedToken {
  int32_t id = 0;
  std::string content;   // matched whole in the input, before normalisation and splitting
  bool special = false;  // special tokens are dropped by decode(..., skip_special=true)
};

class Tokenizer {
 public:
  // `path` is a tokenizer.json file or a folder that holds one. Throws ps::Error naming
  // the file and the JSON field for anything missing, malformed or unsupported.
  static Tokenizer from_file(const std::string& path);
  // The same from the text of a tokenizer.json; `source` names it in error messages.
  static Tokenizer from_json(std::string_view json_text, const std::string& source);

  // Text (UTF-8; ps::Error if invalid) -> token ids. No BOS/EOS is added (Qwen adds none).
  std::vector<int32_t> encode(std::string_view text) const;
  void encode_append(std::string_view text, std::vector<int32_t>& out) const;

  // Token ids -> text. Invalid UTF-8 from partial byte tokens becomes U+FFFD.
  // skip_special drops added tokens marked special (<|im_end|>), keeps <think> etc.
  // Unknown ids throw ps::Error.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;
  // The raw bytes a token stands for (for streaming output; may be part of a UTF-8 sequence).
  std::string token_bytes(int32_t id) const;

  // Id of a token in its vocabulary form ("Ġworld", "<|im_end|>"), or nullopt.
  std::optional<int32_t> token_id(std::string_view token) const;
  // Vocabulary form of an id, or nullopt.
  std::optional<std::string> token_string(int32_t id) const;
  bool is_special(int32_t id) const;
  // One past the largest id (vocabulary + added tokens): 151669 for Qwen3.
  int vocab_size() const;
  size_t merges_count() const;
  const std::vector<AddedToken>& added_tokens() const;
  const std::string& source() const;  // the file it was loaded from

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace ps::tokenizer
