#include "lm/tokenizer/pretokenizer.h"

#include "lm/tokenizer/unicode.h"

namespace ps::tokenizer {

const char* const kQwenSplitPattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

namespace {

// One decoded code point with its class, or "end of text".
struct Cp {
  char32_t c = 0;
  size_t len = 0;  // 0 at the end of the text
  CharClass cls = kOther;
};

inline Cp at(std::string_view s, size_t i) {
  Cp r;
  if (i >= s.size()) return r;
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    r.c = b;
    r.len = 1;
  } else {
    r.c = decode_utf8(s, i, r.len);
  }
  r.cls = char_class(r.c);
  return r;
}

inline bool is_crlf(char32_t c) { return c == '\r' || c == '\n'; }

// ASCII-case-insensitive letter test for the contraction alternative. Under (?i)
// Unicode case folding 's' also matches U+017F LATIN SMALL LETTER LONG S (folds to 's');
// no other code point folds to t, r, e, v, m, l or d.
inline bool ci(const Cp& p, char lower) {
  if (p.len == 0) return false;
  if (p.c == static_cast<char32_t>(lower) || p.c == static_cast<char32_t>(lower - 'a' + 'A')) return true;
  return lower == 's' && p.c == 0x017F;
}

// Alternative 1: (?i:'s|'t|'re|'ve|'m|'ll|'d) at s[pos] == '\''; returns the length or 0.
size_t match_contraction(std::string_view s, size_t pos) {
  const size_t i1 = pos + 1;
  const Cp c1 = at(s, i1);
  if (ci(c1, 's') || ci(c1, 't') || ci(c1, 'm') || ci(c1, 'd')) return 1 + c1.len;
  const Cp c2 = at(s, i1 + c1.len);
  if ((ci(c1, 'r') && ci(c2, 'e')) || (ci(c1, 'v') && ci(c2, 'e')) || (ci(c1, 'l') && ci(c2, 'l')))
    return 1 + c1.len + c2.len;
  return 0;
}

// End of the run of code points of class `cls` starting at i.
inline size_t run_end(std::string_view s, size_t i, CharClass cls) {
  for (;;) {
    const Cp p = at(s, i);
    if (p.len == 0 || p.cls != cls) return i;
    i += p.len;
  }
}

}  // namespace

size_t qwen_match_length(std::string_view s, size_t pos) {
  const Cp c0 = at(s, pos);

  // (?i:'s|'t|'re|'ve|'m|'ll|'d)
  if (c0.c == '\'') {
    if (size_t n = match_contraction(s, pos)) return n;
  }

  // [^\r\n\p{L}\p{N}]?\p{L}+  (the optional prefix cannot be a letter, so a letter starts the run)
  if (c0.cls == kLetter) return run_end(s, pos + c0.len, kLetter) - pos;
  if (c0.cls != kNumber && !is_crlf(c0.c)) {
    const Cp c1 = at(s, pos + c0.len);
    if (c1.cls == kLetter && c1.len != 0) return run_end(s, pos + c0.len + c1.len, kLetter) - pos;
  }

  // \p{N}: one digit per word
  if (c0.cls == kNumber) return c0.len;

  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  {
    size_t i = pos;
    if (c0.c == ' ') i += 1;
    const Cp first = at(s, i);
    if (first.len != 0 && first.cls == kOther) {
      i = run_end(s, i, kOther);
      for (;;) {
        const Cp p = at(s, i);
        if (p.len == 0 || !is_crlf(p.c)) break;
        i += p.len;
      }
      return i - pos;
    }
  }

  // Only whitespace is left here (every code point is a letter, number, space or other).
  // The maximal whitespace run [pos, end) and the positions of its last \r/\n and last code point.
  size_t end = pos, last_crlf_end = 0, last_start = pos;
  for (;;) {
    const Cp p = at(s, end);
    if (p.len == 0 || p.cls != kSpace) break;
    last_start = end;
    end += p.len;
    if (is_crlf(p.c)) last_crlf_end = end;
  }

  // \s*[\r\n]+ : \s* backtracks to the last line break of the run.
  if (last_crlf_end != 0) return last_crlf_end - pos;
  // \s+(?!\S) : the whole run at the end of the text, else the run minus its last
  // code point (which then joins the next word), when that leaves at least one.
  if (end == s.size()) return end - pos;
  if (last_start > pos) return last_start - pos;
  // \s+
  return end - pos;
}

}  // namespace ps::tokenizer
