// The Qwen split regex, checked case by case against its semantics (leftmost
// alternative, greedy runs, the \s+(?!\S) backtrack that leaves one space for the next word).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lm/tokenizer/pretokenizer.h"

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  ps::tokenizer::qwen_pretokenize(s, [&](std::string_view w) { out.emplace_back(w); });
  return out;
}
using V = std::vector<std::string>;

}  // namespace

TEST(QwenSplit, WordsPunctuationAndSpaces) {
  EXPECT_EQ(split("Hello, world!"), (V{"Hello", ",", " world", "!"}));
  EXPECT_EQ(split("(word) [x]"), (V{"(word", ")", " [", "x", "]"}));  // the prefix is one char: " [" is punctuation
  EXPECT_EQ(split("\tword"), (V{"\tword"}));
  EXPECT_EQ(split("Wait!!! ..."), (V{"Wait", "!!!", " ..."}));
}

TEST(QwenSplit, OneDigitPerWord) {
  EXPECT_EQ(split("K562"), (V{"K", "5", "6", "2"}));
  EXPECT_EQ(split(" 42"), (V{" ", "4", "2"}));
  EXPECT_EQ(split("\xD9\xA3\xD9\xA4"), (V{"\xD9\xA3", "\xD9\xA4"}));  // Arabic-Indic digits are \p{N}
}

TEST(QwenSplit, Contractions) {
  EXPECT_EQ(split("it's"), (V{"it", "'s"}));
  EXPECT_EQ(split("THEY'RE"), (V{"THEY", "'RE"}));
  EXPECT_EQ(split("we'Ll"), (V{"we", "'Ll"}));
  EXPECT_EQ(split("'tis"), (V{"'t", "is"}));   // the contraction alternative comes first
  EXPECT_EQ(split("'hello"), (V{"'hello"}));  // no contraction: prefix + letters
}

TEST(QwenSplit, WhitespaceRunsLeaveOneSpaceForTheNextWord) {
  EXPECT_EQ(split("a  b"), (V{"a", " ", " b"}));
  EXPECT_EQ(split("a   b"), (V{"a", "  ", " b"}));
  EXPECT_EQ(split("end   "), (V{"end", "   "}));     // at the end the whole run is one word
  EXPECT_EQ(split("  ..."), (V{" ", " ..."}));
  EXPECT_EQ(split(" \xC2\xA0x"), (V{" ", "\xC2\xA0x"}));  // NBSP is \s and may prefix a word
  EXPECT_EQ(split("a \t1"), (V{"a", " ", "\t", "1"}));
}

TEST(QwenSplit, LineBreaks) {
  EXPECT_EQ(split("x   \n\n y"), (V{"x", "   \n\n", " y"}));  // \s*[\r\n]+ ends at the last break
  EXPECT_EQ(split("a\r\nb"), (V{"a", "\r\n", "b"}));
  EXPECT_EQ(split("!!!\n\nx"), (V{"!!!\n\n", "x"}));  // punctuation takes the breaks after it
  EXPECT_EQ(split("\nword"), (V{"\n", "word"}));      // \r and \n never prefix a word
}

TEST(QwenSplit, UnicodeLetters) {
  EXPECT_EQ(split("\xC3\xBC" "ber caf\xC3\xA9"), (V{"\xC3\xBC" "ber", " caf\xC3\xA9"}));
  EXPECT_EQ(split("\xCE\xB1-syn"), (V{"\xCE\xB1", "-syn"}));
  // CJK ideographs are letters; the fullwidth comma is punctuation.
  EXPECT_EQ(split("\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C"), (V{"\xE4\xBD\xA0\xE5\xA5\xBD", "\xEF\xBC\x8C"}));
}

TEST(QwenSplit, CoversTheInputExactly) {
  const std::string s = "  mixed\t\ttext 123 \xF0\x9F\x8E\x89!! \r\n\r\n  end  ";
  std::string joined;
  for (const auto& w : split(s)) {
    EXPECT_FALSE(w.empty());
    joined += w;
  }
  EXPECT_EQ(joined, s);
}
