#include "lm/tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fileio.h"
#include "lm/tokenizer/bpe.h"
#include "lm/tokenizer/byte_level.h"
#include "lm/tokenizer/json_reader.h"
#include "lm/tokenizer/pretokenizer.h"
#include "lm/tokenizer/unicode.h"
#include "lm/tokenizer/word_cache.h"

namespace ps::tokenizer {

using nlohmann::json;

struct Tokenizer::Impl {
  std::string source;
  bool nfc = false;
  BpeMerges merges;
  std::array<int32_t, 256> byte_ids{};                 // the token of each single byte
  std::vector<std::string> id_bytes;                   // id -> raw bytes (decode)
  std::vector<uint8_t> id_kind;                        // kNone, kVocab, kAdded, kSpecial
  std::unordered_map<std::string, int32_t> token_ids;  // vocabulary form -> id
  std::vector<AddedToken> added;
  // Added-token matching: candidates per first byte, longest first.
  std::array<std::vector<int32_t>, 256> added_by_first_byte;
  std::array<bool, 256> added_first_byte{};

  mutable std::mutex cache_mutex;
  mutable WordCache cache;

  enum : uint8_t { kNone = 0, kVocab = 1, kAdded = 2, kSpecial = 3 };

  // The byte-level vocabulary form of a vocabulary id ("" if it is not one).
  std::string token_string_of_vocab(int32_t id) const {
    return id_kind[id] == kVocab ? bytes_to_token_string(id_bytes[id]) : std::string();
  }

  void encode_segment(std::string_view segment, bool ascii, WordCache* cache_or_null,
                      std::vector<int32_t>& out) const;
  void encode_words(std::string_view text, WordCache* cache_or_null, std::vector<int32_t>& out) const;
};

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw Error(where(source, 0, message));
}

const json& require(const json& obj, const char* key, const std::string& field, const std::string& source) {
  if (!obj.is_object()) fail(source, "field " + field + ": expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) fail(source, "field " + field + "." + key + " is missing");
  return *it;
}

bool get_bool(const json& obj, const char* key, bool fallback, const std::string& field, const std::string& source) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail(source, "field " + field + "." + key + ": expected true or false");
  return it->get<bool>();
}

std::string type_of(const json& obj, const std::string& field, const std::string& source) {
  const json& t = require(obj, "type", field, source);
  if (!t.is_string()) fail(source, "field " + field + ".type: expected a string");
  return t.get<std::string>();
}

// normalizer: null, NFC, or a Sequence holding only NFC.
bool parse_normalizer(const json& n, const std::string& source) {
  if (n.is_null()) return false;
  const std::string type = type_of(n, "normalizer", source);
  if (type == "NFC") return true;
  if (type == "Sequence") {
    const json& list = require(n, "normalizers", "normalizer", source);
    if (!list.is_array()) fail(source, "field normalizer.normalizers: expected an array");
    bool nfc = false;
    for (size_t k = 0; k < list.size(); ++k) {
      const std::string f = "normalizer.normalizers[" + std::to_string(k) + "]";
      if (type_of(list[k], f, source) != "NFC") fail(source, "field " + f + ".type: only NFC is supported");
      nfc = true;
    }
    return nfc;
  }
  fail(source, "field normalizer.type: '" + type + "' is not supported (only NFC)");
}

// pre_tokenizer: Sequence[Split(Qwen regex, Isolated), ByteLevel(use_regex=false, add_prefix_space=false)].
void parse_pre_tokenizer(const json& p, const std::string& source) {
  const std::string supported =
      " (supported: Sequence[Split(Qwen pattern, Isolated), ByteLevel(use_regex=false)])";
  if (p.is_null()) fail(source, "field pre_tokenizer is null" + supported);
  if (type_of(p, "pre_tokenizer", source) != "Sequence")
    fail(source, "field pre_tokenizer.type: '" + type_of(p, "pre_tokenizer", source) + "' is not supported" + supported);
  const json& list = require(p, "pretokenizers", "pre_tokenizer", source);
  if (!list.is_array() || list.size() != 2)
    fail(source, "field pre_tokenizer.pretokenizers: expected [Split, ByteLevel]" + supported);
  const json& split = list[0];
  const std::string f0 = "pre_tokenizer.pretokenizers[0]";
  if (type_of(split, f0, source) != "Split") fail(source, "field " + f0 + ".type: expected Split" + supported);
  const json& pattern = require(split, "pattern", f0, source);
  auto rx = pattern.is_object() ? pattern.find("Regex") : pattern.end();
  if (!pattern.is_object() || rx == pattern.end() || !rx->is_string() || rx->get<std::string>() != kQwenSplitPattern)
    fail(source, "field " + f0 + ".pattern: only the Qwen regex is supported" + supported);
  const json& behavior = require(split, "behavior", f0, source);
  if (!behavior.is_string() || behavior.get<std::string>() != "Isolated")
    fail(source, "field " + f0 + ".behavior: only Isolated is supported");
  if (get_bool(split, "invert", false, f0, source)) fail(source, "field " + f0 + ".invert: must be false");
  const json& bl = list[1];
  const std::string f1 = "pre_tokenizer.pretokenizers[1]";
  if (type_of(bl, f1, source) != "ByteLevel") fail(source, "field " + f1 + ".type: expected ByteLevel" + supported);
  if (get_bool(bl, "add_prefix_space", false, f1, source))
    fail(source, "field " + f1 + ".add_prefix_space: only false is supported");
  if (get_bool(bl, "use_regex", true, f1, source)) fail(source, "field " + f1 + ".use_regex: only false is supported");
}

// Token ids above this are refused (the largest real vocabularies hold ~10^6 tokens).
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

bool is_directory(const std::string& path);

std::string read_file(const std::string& path) {
  check_input_file(path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(where(path, 0, "cannot open the tokenizer file"));
  std::string data;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long size = std::ftell(f);
    if (size > 0) data.reserve(static_cast<size_t>(size));
    std::fseek(f, 0, SEEK_SET);
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool err = std::ferror(f) != 0;
  std::fclose(f);
  if (err) throw Error(where(path, 0, "read error"));
  return data;
}

bool is_directory(const std::string& path) {
  std::FILE* f = std::fopen((path + "/.").c_str(), "rb");
  if (!f) return false;
  std::fclose(f);
  return true;
}

}  // namespace

Tokenizer Tokenizer::from_file(const std::string& path) {
  std::string file = path;
  if (is_directory(path)) {
    file = path + (path.empty() || path.back() == '/' ? "" : "/") + "tokenizer.json";
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) throw Error(where(path, 0, "the folder has no tokenizer.json"));
    std::fclose(f);
  }
  return from_json(read_file(file), file);
}

Tokenizer Tokenizer::from_json(std::string_view text, const std::string& source) {
  // Stream the document: model.vocab and model.merges go straight into vectors, every
  // other (small) value is read as nlohmann::json and validated below.
  TokenizerJson doc = read_tokenizer_json(text, source);
  json& root = doc.root;
  json& model = doc.model;
  auto& vocab = doc.vocab;
  auto& merges = doc.merges;
  const bool have_model = doc.have_model, have_vocab = doc.have_vocab, have_merges = doc.have_merges;
  if (!have_model) fail(source, "field model is missing");
  if (!have_vocab) fail(source, "field model.vocab is missing");
  if (!have_merges) fail(source, "field model.merges is missing");

  auto impl = std::make_shared<Impl>();
  impl->source = source;

  // model
  if (model.contains("type") && type_of(model, "model", source) != "BPE")
    fail(source, "field model.type: '" + type_of(model, "model", source) + "' is not supported (only BPE)");
  if (get_bool(model, "byte_fallback", false, "model", source))
    fail(source, "field model.byte_fallback: true is not supported (byte-level BPE needs no fallback)");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty()))
      fail(source, std::string("field model.") + key + ": must be empty for byte-level BPE");
  }
  if (auto it = model.find("dropout"); it != model.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() != 0.0) fail(source, "field model.dropout: BPE dropout is not supported");
  }
  int32_t max_id = -1;
  for (const auto& [token, id] : vocab) {
    if (id < 0 || id > kMaxTokenId)
      fail(source, "field model.vocab[\"" + token + "\"]: id " + std::to_string(id) + " is outside [0, " +
                       std::to_string(kMaxTokenId) + "]");
    max_id = std::max(max_id, static_cast<int32_t>(id));
  }

  // added_tokens
  std::vector<AddedToken> added;
  if (auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) fail(source, "field added_tokens: expected an array");
    for (size_t k = 0; k < it->size(); ++k) {
      const json& t = (*it)[k];
      const std::string f = "added_tokens[" + std::to_string(k) + "]";
      const json& id = require(t, "id", f, source);
      const json& content = require(t, "content", f, source);
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > kMaxTokenId)
        fail(source, "field " + f + ".id: expected an integer in [0, " + std::to_string(kMaxTokenId) + "]");
      if (!content.is_string() || content.get<std::string>().empty())
        fail(source, "field " + f + ".content: expected a non-empty string");
      for (const char* flag : {"lstrip", "rstrip", "single_word"}) {
        if (get_bool(t, flag, false, f, source))
          fail(source, "field " + f + "." + flag + ": true is not supported");
      }
      AddedToken a;
      a.id = id.get<int32_t>();
      a.content = content.get<std::string>();
      a.special = get_bool(t, "special", false, f, source);
      if (find_invalid_utf8(a.content) != std::string::npos)
        fail(source, "field " + f + ".content: not valid UTF-8");
      max_id = std::max(max_id, a.id);
      added.push_back(std::move(a));
    }
  }

  impl->nfc = parse_normalizer(root.contains("normalizer") ? root["normalizer"] : json(), source);
  parse_pre_tokenizer(require(root, "pre_tokenizer", "(top level)", source), source);
  if (auto it = root.find("decoder"); it != root.end() && !it->is_null()) {
    if (type_of(*it, "decoder", source) != "ByteLevel")
      fail(source, "field decoder.type: '" + type_of(*it, "decoder", source) + "' is not supported (only ByteLevel)");
  }

  // id tables (dense, indexed by id): a few ids far beyond the token count would allocate tables
  // for ids that do not exist.
  {
    const int64_t tokens = static_cast<int64_t>(vocab.size() + added.size());
    if (max_id >= 2 * tokens + 65536)
      fail(source, "the largest token id is " + std::to_string(max_id) + " for " + std::to_string(tokens) +
                       " tokens: ids must be dense (below twice the token count + 65536)");
  }
  impl->id_bytes.assign(static_cast<size_t>(max_id + 1), std::string());
  impl->id_kind.assign(static_cast<size_t>(max_id + 1), Impl::kNone);
  impl->token_ids.reserve(vocab.size() + added.size());
  for (auto& [token, id64] : vocab) {
    const auto id = static_cast<int32_t>(id64);
    auto bytes = token_string_to_bytes(token);
    if (!bytes) fail(source, "field model.vocab[\"" + token + "\"]: not a byte-level token");
    if (impl->id_kind[id] != Impl::kNone)
      fail(source, "field model.vocab[\"" + token + "\"]: id " + std::to_string(id) + " is used twice");
    if (!impl->token_ids.emplace(std::move(token), id).second)
      fail(source, "field model.vocab: a token appears twice (id " + std::to_string(id) + ")");
    impl->id_bytes[id] = std::move(*bytes);
    impl->id_kind[id] = Impl::kVocab;
  }
  for (int b = 0; b < 256; ++b) {
    std::string s;
    append_utf8(s, byte_to_unicode(static_cast<unsigned char>(b)));
    auto it = impl->token_ids.find(s);
    if (it == impl->token_ids.end()) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", b);
      fail(source, std::string("field model.vocab: no token for byte ") + hex + " (\"" + s + "\")");
    }
    impl->byte_ids[b] = it->second;
  }
  for (size_t k = 0; k < added.size(); ++k) {
    const AddedToken& a = added[k];
    // An added token may repeat a vocabulary entry with the same id (HF allows it).
    if (impl->id_kind[a.id] != Impl::kNone && impl->token_string_of_vocab(a.id) != a.content)
      fail(source, "field added_tokens[" + std::to_string(k) + "].id: " + std::to_string(a.id) +
                       " is already used by another token");
    auto bytes = token_string_to_bytes(a.content);  // the ByteLevel decoder's rule
    impl->id_bytes[a.id] = bytes ? *bytes : a.content;
    impl->id_kind[a.id] = a.special ? Impl::kSpecial : Impl::kAdded;
    impl->token_ids[a.content] = a.id;
    const auto first = static_cast<unsigned char>(a.content[0]);
    impl->added_by_first_byte[first].push_back(static_cast<int32_t>(k));
    impl->added_first_byte[first] = true;
  }
  for (auto& list : impl->added_by_first_byte) {
    std::stable_sort(list.begin(), list.end(),
                     [&](int32_t x, int32_t y) { return added[x].content.size() > added[y].content.size(); });
  }
  impl->added = std::move(added);

  impl->merges.reserve(merges.size());
  std::string joined;
  for (size_t k = 0; k < merges.size(); ++k) {
    const auto& [left, right] = merges[k];
    const auto field = [&] { return "field model.merges[" + std::to_string(k) + "]"; };
    auto l = impl->token_ids.find(left), r = impl->token_ids.find(right);
    if (l == impl->token_ids.end()) fail(source, field() + ": \"" + left + "\" is not in model.vocab");
    if (r == impl->token_ids.end()) fail(source, field() + ": \"" + right + "\" is not in model.vocab");
    joined.assign(left).append(right);
    auto merged = impl->token_ids.find(joined);
    if (merged == impl->token_ids.end())
      fail(source, field() + ": the merged token \"" + joined + "\" is not in model.vocab");
    impl->merges.add(l->second, r->second, merged->second);  // a repeated pair keeps its first rank
  }

  return Tokenizer(std::move(impl));
}

void Tokenizer::Impl::encode_words(std::string_view text, WordCache* c, std::vector<int32_t>& out) const {
  qwen_pretokenize(text, [&](std::string_view word) {
    if (word.size() == 1) {
      out.push_back(byte_ids[static_cast<unsigned char>(word[0])]);
      return;
    }
    if (c && word.size() <= WordCache::kMaxWordBytes) {
      const uint64_t h = WordCache::hash(word);
      if (c->lookup(word, h, out)) return;
      const size_t before = out.size();
      merges.encode_word(word, byte_ids.data(), out);
      c->insert(word, h, out.data() + before, out.size() - before);
      return;
    }
    merges.encode_word(word, byte_ids.data(), out);
  });
}

void Tokenizer::Impl::encode_segment(std::string_view segment, bool ascii, WordCache* c,
                                     std::vector<int32_t>& out) const {
  if (segment.empty()) return;
  std::string normalized;
  if (nfc && !ascii && nfc_normalize(segment, normalized)) {
    encode_words(normalized, c, out);
  } else {
    encode_words(segment, c, out);
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  encode_append(text, ids);
  return ids;
}

void Tokenizer::encode_append(std::string_view text, std::vector<int32_t>& out) const {
  const Impl& m = *impl_;
  bool ascii = true;
  for (unsigned char b : text) {
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii) {
    const size_t bad = find_invalid_utf8(text);
    if (bad != std::string_view::npos)
      throw Error("tokenizer: the text is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  // One lock per call; a thread that finds the cache busy encodes without it.
  std::unique_lock<std::mutex> lock(m.cache_mutex, std::try_to_lock);
  WordCache* cache = lock.owns_lock() ? &m.cache : nullptr;

  // Split out added tokens (leftmost, then longest), encode the text between them.
  size_t start = 0, pos = 0;
  const size_t n = text.size();
  while (pos < n) {
    const auto b = static_cast<unsigned char>(text[pos]);
    if (!m.added_first_byte[b]) {
      ++pos;
      continue;
    }
    int32_t hit = -1;
    for (int32_t k : m.added_by_first_byte[b]) {
      const std::string& c = m.added[k].content;
      if (c.size() <= n - pos && std::memcmp(text.data() + pos, c.data(), c.size()) == 0) {
        hit = k;
        break;
      }
    }
    if (hit < 0) {
      ++pos;
      continue;
    }
    m.encode_segment(text.substr(start, pos - start), ascii, cache, out);
    out.push_back(m.added[hit].id);
    pos += m.added[hit].content.size();
    start = pos;
  }
  m.encode_segment(text.substr(start), ascii, cache, out);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  const Impl& m = *impl_;
  std::string bytes;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= m.id_kind.size() || m.id_kind[id] == Impl::kNone)
      throw Error("tokenizer " + m.source + ": unknown token id " + std::to_string(id) + " in decode");
    if (skip_special && m.id_kind[id] == Impl::kSpecial) continue;
    bytes += m.id_bytes[id];
  }
  return to_valid_utf8_lossy(bytes);
}

std::string Tokenizer::token_bytes(int32_t id) const {
  const Impl& m = *impl_;
  if (id < 0 || static_cast<size_t>(id) >= m.id_kind.size() || m.id_kind[id] == Impl::kNone)
    throw Error("tokenizer " + m.source + ": unknown token id " + std::to_string(id));
  return m.id_bytes[id];
}

std::optional<int32_t> Tokenizer::token_id(std::string_view token) const {
  auto it = impl_->token_ids.find(std::string(token));
  if (it == impl_->token_ids.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Tokenizer::token_string(int32_t id) const {
  const Impl& m = *impl_;
  if (id < 0 || static_cast<size_t>(id) >= m.id_kind.size() || m.id_kind[id] == Impl::kNone) return std::nullopt;
  if (m.id_kind[id] != Impl::kVocab) {
    for (const AddedToken& a : m.added) {
      if (a.id == id) return a.content;
    }
  }
  return bytes_to_token_string(m.id_bytes[id]);
}

bool Tokenizer::is_special(int32_t id) const {
  const Impl& m = *impl_;
  return id >= 0 && static_cast<size_t>(id) < m.id_kind.size() && m.id_kind[id] == Impl::kSpecial;
}

int Tokenizer::vocab_size() const { return static_cast<int>(impl_->id_kind.size()); }
size_t Tokenizer::merges_count() const { return impl_->merges.size(); }
const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }
const std::string& Tokenizer::source() const { return impl_->source; }

}  // namespace ps::tokenizer
