#include "lm/tokenizer/unicode.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include <array>

#include "common/error.h"

namespace ps::tokenizer {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid; `prefix` receives
// how many bytes form a valid prefix of some sequence (the "maximal subpart").
size_t utf8_sequence(std::string_view s, size_t i, size_t& prefix) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  prefix = 1;
  if (b0 < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) return 0;
    prefix = k + 1;
  }
  return need;
}

}  // namespace

size_t find_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t prefix;
    const size_t n = utf8_sequence(s, i, prefix);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string to_valid_utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t prefix;
    const size_t n = utf8_sequence(s, i, prefix);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += prefix;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

namespace {

std::array<CharClass, 128> make_ascii_classes() {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) t[c] = kLetter;
    else if (c >= '0' && c <= '9') t[c] = kNumber;
    else if ((c >= 9 && c <= 13) || c == ' ') t[c] = kSpace;
    else t[c] = kOther;
  }
  return t;
}
const std::array<CharClass, 128> kAsciiClasses = make_ascii_classes();

// The classes follow Unicode 16.0, the data of Hugging Face tokenizers' regex engine (Oniguruma in
// `tokenizers` 0.23; found by scripts/tokenizer_diff.sh: a CJK Extension I letter before "’s" split
// differently). Debian 12's ICU 72 has Unicode 15.0, so the letters and numbers assigned in 15.1 and
// 16.0 are listed here (from Unicode 16.0's UnicodeData.txt general categories, as Node 20's ICU 78
// reports them, each range checked against the HF peer); a newer ICU's characters of Unicode 17+
// are "other", as they are to Oniguruma's 16.0 tables.
struct ClassRange {
  char32_t lo, hi;
  CharClass cls;
};
constexpr ClassRange kSinceUnicode15_0[] = {
    {0x1C89, 0x1C8A, kLetter},
    {0xA7CB, 0xA7CD, kLetter},
    {0xA7DA, 0xA7DC, kLetter},
    {0x105C0, 0x105F3, kLetter},
    {0x10D40, 0x10D49, kNumber},
    {0x10D4A, 0x10D65, kLetter},
    {0x10D6F, 0x10D85, kLetter},
    {0x10EC2, 0x10EC4, kLetter},
    {0x11380, 0x11389, kLetter},
    {0x1138B, 0x1138B, kLetter},
    {0x1138E, 0x1138E, kLetter},
    {0x11390, 0x113B5, kLetter},
    {0x113B7, 0x113B7, kLetter},
    {0x113D1, 0x113D1, kLetter},
    {0x113D3, 0x113D3, kLetter},
    {0x116D0, 0x116E3, kNumber},
    {0x11BC0, 0x11BE0, kLetter},
    {0x11BF0, 0x11BF9, kNumber},
    {0x13460, 0x143FA, kLetter},
    {0x16100, 0x1611D, kLetter},
    {0x16130, 0x16139, kNumber},
    {0x16D40, 0x16D6C, kLetter},
    {0x16D70, 0x16D79, kNumber},
    {0x18CFF, 0x18CFF, kLetter},
    {0x1CCF0, 0x1CCF9, kNumber},
    {0x1E5D0, 0x1E5ED, kLetter},
    {0x1E5F0, 0x1E5F0, kLetter},
    {0x1E5F1, 0x1E5FA, kNumber},
    {0x2EBF0, 0x2EE5D, kLetter}
};
constexpr int kUnicodeMajor = 16;

}  // namespace

CharClass char_class(char32_t c) {
  if (c < 128) return kAsciiClasses[c];
  const UChar32 u = static_cast<UChar32>(c);
  const uint32_t mask = U_GET_GC_MASK(u);
  if (mask & (U_GC_L_MASK | U_GC_N_MASK)) {
    UVersionInfo age;
    u_charAge(u, age);
    if (age[0] > kUnicodeMajor) return kOther;
    return (mask & U_GC_L_MASK) ? kLetter : kNumber;
  }
  if (u_isUWhiteSpace(u)) return kSpace;
  if (mask & U_GC_CN_MASK) {  // unassigned in ICU's data: maybe assigned in 15.1 .. 16.0
    for (const auto& r : kSinceUnicode15_0)
      if (c >= r.lo && c <= r.hi) return r.cls;
  }
  return kOther;
}

bool nfc_normalize(std::string_view s, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: cannot load the NFC normaliser: ") + u_errorName(status));
  const icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return false;
  status = U_ZERO_ERROR;
  std::string result;
  icu::StringByteSink<std::string> sink(&result, static_cast<int32_t>(s.size()));
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: NFC normalisation failed: ") + u_errorName(status));
  out = std::move(result);
  return true;
}

}  // namespace ps::tokenizer
