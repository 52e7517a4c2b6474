#include "lm/tokenizer/byte_level.h"

#include <array>

#include "lm/tokenizer/unicode.h"

namespace ps::tokenizer {

namespace {

struct Tables {
  std::array<char32_t, 256> to_unicode{};
  std::array<int, 324> to_byte{};  // indexed by code point (all are < 0x144); -1 = none
  Tables() {
    to_byte.fill(-1);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_unicode[b] = printable ? char32_t(b) : char32_t(256 + extra++);
      to_byte[to_unicode[b]] = b;
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

char32_t byte_to_unicode(unsigned char b) { return tables().to_unicode[b]; }

std::string bytes_to_token_string(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) append_utf8(out, tables().to_unicode[b]);
  return out;
}

std::optional<std::string> token_string_to_bytes(std::string_view token) {
  if (find_invalid_utf8(token) != std::string_view::npos) return std::nullopt;
  std::string out;
  out.reserve(token.size());
  size_t i = 0;
  while (i < token.size()) {
    size_t len;
    const char32_t c = decode_utf8(token, i, len);
    if (c >= tables().to_byte.size() || tables().to_byte[c] < 0) return std::nullopt;
    out.push_back(static_cast<char>(tables().to_byte[c]));
    i += len;
  }
  return out;
}

}  // namespace ps::tokenizer
