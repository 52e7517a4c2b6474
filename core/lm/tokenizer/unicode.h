// UTF-8 decoding and the Unicode character classes the Qwen pre-tokenizer regex uses
// (\p{L}, \p{N}, \s as Oniguruma defines them), plus NFC normalisation through ICU.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ps::tokenizer {

// Decodes the code point at s[i] (s must be valid UTF-8); `len` receives its byte length.
inline char32_t decode_utf8(std::string_view s, size_t i, size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { len = 1; return b0; }
  if (b0 < 0xE0) {
    len = 2;
    return (char32_t(b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
  }
  if (b0 < 0xF0) {
    len = 3;
    return (char32_t(b0 & 0x0F) << 12) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
  }
  len = 4;
  return (char32_t(b0 & 0x07) << 18) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
         (char32_t(static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) |
         (static_cast<unsigned char>(s[i + 3]) & 0x3F);
}

void append_utf8(std::string& out, char32_t c);

// Byte offset of the first invalid UTF-8 sequence in s, or npos when s is valid.
size_t find_invalid_utf8(std::string_view s);

// Replaces every maximal invalid subsequence by U+FFFD (the rule of Rust's from_utf8_lossy).
std::string to_valid_utf8_lossy(std::string_view bytes);

// Character classes. Letters = general category L*, numbers = N*, space = the
// White_Space property (Oniguruma's \s for Unicode: 9-13, 0x85, Zs, Zl, Zp).
enum CharClass : uint8_t { kOther = 0, kLetter = 1, kNumber = 2, kSpace = 3 };
CharClass char_class(char32_t c);

// NFC normalisation (ICU Normalizer2). `s` must be valid UTF-8. Returns false and leaves
// `out` untouched when s is already NFC (the common case), true when `out` holds the result.
bool nfc_normalize(std::string_view s, std::string& out);

}  // namespace ps::tokenizer
