// tokenizer.json loading; when a document loads, its tokenizer encodes and decodes text taken
// from the input, and re-encoding the decoded text gives the same ids.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/error.h"
#include "lm/tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto tok = ps::tokenizer::Tokenizer::from_json(text, "fuzz.json");
    // Text to encode: the input's last 64 bytes (invalid UTF-8 must be a ps::Error).
    const std::string sample(text.substr(size > 64 ? size - 64 : 0));
    try {
      // decode(encode(x)) is x up to the normalizer (NFC, idempotent), so encoding it again
      // must give the same ids.
      const auto ids = tok.encode(sample);
      const std::string back = tok.decode(ids, /*skip_special=*/false);
      if (tok.encode(back) != ids) std::abort();
    } catch (const ps::Error&) {
    }
  } catch (const ps::Error&) {
  }
  return 0;
}
