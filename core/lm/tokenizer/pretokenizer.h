// The Qwen (and Qwen2/3) pre-tokenizer: splits text into the "words" that BPE then
// encodes one by one. It is the regex
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// applied with "Isolated" behaviour (every match is one word), written as a hand-made
// scanner over code points: it reproduces the regex's leftmost-alternative, greedy,
// backtracking semantics exactly, without a regex engine.
#pragma once
#include <cstddef>
#include <string_view>

namespace ps::tokenizer {

// The pattern string as it appears in tokenizer.json; the loader refuses any other.
extern const char* const kQwenSplitPattern;

// Byte length of the regex match that starts at s[pos] (always >= 1 for pos < s.size()).
// `s` must be valid UTF-8.
size_t qwen_match_length(std::string_view s, size_t pos);

// Calls fn(std::string_view word) for each word of s in order.
template <typename Fn>
void qwen_pretokenize(std::string_view s, Fn&& fn) {
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t n = qwen_match_length(s, pos);
    fn(s.substr(pos, n));
    pos += n;
  }
}

}  // namespace ps::tokenizer
