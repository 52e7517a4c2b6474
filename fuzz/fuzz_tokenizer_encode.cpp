// Tokenizer encode/decode on arbitrary text, with the Qwen3 tokenizer of the golden fixtures
// (common/paths.h locate_fixtures(); PS_FUZZ_TOKENIZER=FILE picks another tokenizer.json, and
// without fixtures the tiny committed one is used). The tokenizer's promises:
//   - invalid UTF-8 is a ps::Error, valid UTF-8 always encodes;
//   - decode(encode(x)) == NFC(x) (NFC normaliser, byte-level BPE: lossless up to normalisation);
//   - streaming decode (StreamDecoder, one id at a time) gives exactly decode(ids);
//   - decode(ids, skip_special=true) is decode(ids) without the special tokens' text.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "common/error.h"
#include "common/paths.h"
#include "common/text.h"
#include "lm/tokenizer/stream_decoder.h"
#include "lm/tokenizer/tokenizer.h"
#include "lm/tokenizer/unicode.h"

namespace {
const ps::tokenizer::Tokenizer& tok() {
  static const ps::tokenizer::Tokenizer t = [] {
    std::string path = PS_FUZZ_ROOT "/fuzz/corpus/tokenizer_json/tiny.json";
    if (const char* p = std::getenv("PS_FUZZ_TOKENIZER")) {
      path = p;
    } else if (auto fx = ps::locate_fixtures()) {
      path = *fx + "/qwen3-tokenizer/tokenizer.json";
    }
    std::fprintf(stderr, "fuzz_tokenizer_encode: %s\n", path.c_str());
    return ps::tokenizer::Tokenizer::from_file(path);
  }();
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto& t = tok();
  const bool valid = ps::find_invalid_utf8(text) == std::string::npos;
  std::vector<int32_t> ids;
  try {
    ids = t.encode(text);
  } catch (const ps::Error&) {
    if (valid) std::abort();  // valid UTF-8 must encode
    return 0;
  }
  if (!valid) std::abort();  // invalid UTF-8 must be refused
  std::string nfc;
  if (!ps::tokenizer::nfc_normalize(text, nfc)) nfc = text;
  const std::string back = t.decode(ids, /*skip_special=*/false);
  if (back != nfc) {
    std::fprintf(stderr, "round trip: decode(encode(x)) != NFC(x) (%zu vs %zu bytes)\n", back.size(), nfc.size());
    std::abort();
  }
  ps::tokenizer::StreamDecoder stream(t);
  std::string streamed;
  for (int32_t id : ids) streamed += stream.push(id);
  streamed += stream.finish();
  if (streamed != back) std::abort();
  std::vector<int32_t> plain;
  for (int32_t id : ids)
    if (!t.is_special(id)) plain.push_back(id);
  if (t.decode(ids, /*skip_special=*/true) != t.decode(plain, false)) std::abort();
  return 0;
}
