// The one answer parser (prompt/answer_parser.h) on hand-written completions: every failure
// reason, the tolerated forms, P(DE) and correctness, and format_answer's round trip.
#include <gtest/gtest.h>

#include <string>

#include "prompt/answer_parser.h"

namespace ps::prompt {
namespace {

ParseFailure reason(const std::string& s, bool truncated = false) { return parse_answer(s, truncated).failure; }

TEST(AnswerParser, ParsesTheCanonicalAnswer) {
  auto a = parse_answer("<think>MED13 and CCNC are hits.</think>\n{\"de\": true, \"confidence\": 0.83}");
  ASSERT_TRUE(a.ok()) << a.detail;
  EXPECT_TRUE(a.de);
  EXPECT_DOUBLE_EQ(a.confidence, 0.83);
  EXPECT_EQ(a.reasoning, "MED13 and CCNC are hits.");
  EXPECT_EQ(a.detail, "");
  // The generation prompt may already hold <think>: the completion then starts inside it.
  auto b = parse_answer("reasoning only</think>{\"de\": false, \"confidence\": 0}");
  ASSERT_TRUE(b.ok()) << b.detail;
  EXPECT_FALSE(b.de);
  EXPECT_EQ(b.confidence, 0.0);
  EXPECT_EQ(b.reasoning, "reasoning only");
}

TEST(AnswerParser, NoThinkEnd) {
  EXPECT_EQ(reason("{\"de\": true, \"confidence\": 0.9}"), ParseFailure::NoThinkEnd);
  EXPECT_EQ(reason("<think>never closed {\"de\": true, \"confidence\": 0.9}"), ParseFailure::NoThinkEnd);
  EXPECT_EQ(reason(""), ParseFailure::NoThinkEnd);
  EXPECT_EQ(reason("<think>x</think"), ParseFailure::NoThinkEnd);
}

TEST(AnswerParser, NoJson) {
  EXPECT_EQ(reason("<think>x</think>"), ParseFailure::NoJson);
  EXPECT_EQ(reason("<think>x</think> The answer is yes."), ParseFailure::NoJson);
  // A brace that never closes is no object.
  EXPECT_EQ(reason("<think>x</think>{\"de\": true, \"confidence\": 0.9"), ParseFailure::NoJson);
  // Malformed JSON inside balanced braces.
  EXPECT_EQ(reason("<think>x</think>{de: true, confidence: 0.9}"), ParseFailure::NoJson);
  EXPECT_EQ(reason("<think>x</think>{\"de\": true,, \"confidence\": 0.9}"), ParseFailure::NoJson);
  EXPECT_EQ(reason("<think>x</think>{\"de\": true, \"confidence\": 0.9,}"), ParseFailure::NoJson);
  // The JSON must come after the last </think>: an answer inside the reasoning does not count.
  EXPECT_EQ(reason("<think>{\"de\": true, \"confidence\": 0.9}</think>no answer"), ParseFailure::NoJson);
  EXPECT_EQ(reason("<think>a</think>{\"de\": true, \"confidence\": 0.9}<think>b</think>"), ParseFailure::NoJson);
}

TEST(AnswerParser, BadField) {
  const std::string t = "<think>x</think>";
  EXPECT_EQ(reason(t + "{\"de\": true}"), ParseFailure::BadField);                       // missing confidence
  EXPECT_EQ(reason(t + "{\"confidence\": 0.5}"), ParseFailure::BadField);                // missing de
  EXPECT_EQ(reason(t + "{}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": 0.5, \"why\": \"x\"}"), ParseFailure::BadField);  // extra
  EXPECT_EQ(reason(t + "{\"DE\": true, \"confidence\": 0.5}"), ParseFailure::BadField);  // case matters
  EXPECT_EQ(reason(t + "{\"de\": \"true\", \"confidence\": 0.5}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": 1, \"confidence\": 0.5}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": null, \"confidence\": 0.5}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": \"0.5\"}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": null}"), ParseFailure::BadField);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": [0.5]}"), ParseFailure::BadField);
  auto a = parse_answer(t + "{\"de\": true, \"confidence\": 0.5, \"why\": \"x\"}");
  EXPECT_NE(a.detail.find("why"), std::string::npos) << a.detail;
  auto b = parse_answer(t + "{\"de\": \"true\", \"confidence\": 0.5}");
  EXPECT_NE(b.detail.find("de"), std::string::npos) << b.detail;
}

TEST(AnswerParser, ConfidenceOutOfRange) {
  const std::string t = "<think>x</think>";
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": -0.1}"), ParseFailure::ConfidenceOutOfRange);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": 1.5}"), ParseFailure::ConfidenceOutOfRange);
  EXPECT_EQ(reason(t + "{\"de\": false, \"confidence\": 1.0000001}"), ParseFailure::ConfidenceOutOfRange);
  EXPECT_EQ(reason(t + "{\"de\": true, \"confidence\": 83}"), ParseFailure::ConfidenceOutOfRange);
  // 1e999 overflows to infinity: a confidence that is not finite.
  const auto f = parse_answer(t + "{\"de\": true, \"confidence\": 1e999}");
  EXPECT_EQ(f.failure, ParseFailure::ConfidenceOutOfRange) << "an overflowing number is not finite: " << f.detail;
  // The bounds themselves are fine.
  EXPECT_TRUE(parse_answer(t + "{\"de\": true, \"confidence\": 1}").ok());
  EXPECT_TRUE(parse_answer(t + "{\"de\": true, \"confidence\": 0.0}").ok());
  EXPECT_TRUE(parse_answer(t + "{\"de\": true, \"confidence\": 5e-1}").ok());
}

TEST(AnswerParser, Truncated) {
  // No parseable answer and the token limit hit: Truncated, whatever the underlying reason.
  EXPECT_EQ(reason("<think>the reasoning went on and on", true), ParseFailure::Truncated);
  EXPECT_EQ(reason("<think>x</think>{\"de\": tr", true), ParseFailure::Truncated);
  EXPECT_EQ(reason("<think>x</think>", true), ParseFailure::Truncated);
  // The same texts without the flag keep their own reasons.
  EXPECT_EQ(reason("<think>the reasoning went on and on"), ParseFailure::NoThinkEnd);
  EXPECT_EQ(reason("<think>x</think>{\"de\": tr"), ParseFailure::NoJson);
  // A complete answer before the limit is accepted.
  auto a = parse_answer("<think>x</think>{\"de\": false, \"confidence\": 0.7}\nand then more text", true);
  ASSERT_TRUE(a.ok()) << a.detail;
  EXPECT_FALSE(a.de);
  EXPECT_DOUBLE_EQ(a.confidence, 0.7);
  // A complete but invalid answer keeps its own reason (truncation did not cause it).
  EXPECT_EQ(reason("<think>x</think>{\"de\": true, \"confidence\": 2}", true), ParseFailure::ConfidenceOutOfRange);
  EXPECT_EQ(reason("<think>x</think>{\"de\": true}", true), ParseFailure::BadField);
}

TEST(AnswerParser, ToleratesFencesWhitespaceAndProse) {
  const char* ok[] = {
      "<think>x</think>```json\n{\"de\": true, \"confidence\": 0.6}\n```",
      "<think>x</think>\n\n```\n{\"de\": true, \"confidence\": 0.6}\n```\n",
      "<think>x</think>   \t\n{ \"de\" :true ,\n \"confidence\":0.6 }   \n",
      "<think>x</think>Answer: {\"de\": true, \"confidence\": 0.6} -- that is my final answer.",
      "<think>x</think>{\"confidence\": 0.6, \"de\": true}",
  };
  for (const char* s : ok) {
    auto a = parse_answer(s);
    ASSERT_TRUE(a.ok()) << s << ": " << to_string(a.failure) << " " << a.detail;
    EXPECT_TRUE(a.de) << s;
    EXPECT_DOUBLE_EQ(a.confidence, 0.6) << s;
  }
}

TEST(AnswerParser, TheLastObjectAfterTheLastThinkEndWins) {
  auto a = parse_answer("<think>x</think>{\"de\": true, \"confidence\": 0.9} on second thought {\"de\": false, \"confidence\": 0.55}");
  ASSERT_TRUE(a.ok()) << a.detail;
  EXPECT_FALSE(a.de);
  EXPECT_DOUBLE_EQ(a.confidence, 0.55);
  // Only the last one is judged: a bad last object fails even after a good one.
  EXPECT_EQ(reason("<think>x</think>{\"de\": true, \"confidence\": 0.9} {\"de\": true}"), ParseFailure::BadField);
  // Two </think>: the answer after the last.
  auto b = parse_answer("<think>a</think>{\"de\": true, \"confidence\": 0.9}</think>{\"de\": false, \"confidence\": 0.2}");
  ASSERT_TRUE(b.ok()) << b.detail;
  EXPECT_FALSE(b.de);
  EXPECT_DOUBLE_EQ(b.confidence, 0.2);
}

TEST(AnswerParser, BracesInsideReasoningAndStrings) {
  // A '{' in the reasoning (before </think>) is ignored.
  auto a = parse_answer("<think>the set {MED13, CCNC is open</think>{\"de\": true, \"confidence\": 0.75}");
  ASSERT_TRUE(a.ok()) << to_string(a.failure) << " " << a.detail;
  EXPECT_DOUBLE_EQ(a.confidence, 0.75);
  EXPECT_EQ(a.reasoning, "the set {MED13, CCNC is open");
  // Braces inside JSON strings do not end or start objects (the extra field is then judged).
  auto b = parse_answer("<think>x</think>{\"de\": true, \"confidence\": 0.5, \"note\": \"a } b { c\"}");
  EXPECT_EQ(b.failure, ParseFailure::BadField) << b.detail;
  EXPECT_NE(b.detail.find("note"), std::string::npos);
  // An escaped quote inside a string does not end it.
  auto c = parse_answer("<think>x</think>{\"n\": \"q\\\"}\"} {\"de\": false, \"confidence\": 0.4}");
  ASSERT_TRUE(c.ok()) << to_string(c.failure) << " " << c.detail;
  EXPECT_DOUBLE_EQ(c.confidence, 0.4);
  // A nested object is one top-level object (with a bad field), not two answers.
  EXPECT_EQ(reason("<think>x</think>{\"de\": true, \"confidence\": 0.5, \"x\": {\"de\": true}}"), ParseFailure::BadField);
}

TEST(AnswerParser, PdeAndCorrect) {
  ParsedAnswer a;
  a.de = true;
  a.confidence = 0.8;
  EXPECT_DOUBLE_EQ(a.p_de(), 0.8);
  EXPECT_TRUE(a.correct(1));
  EXPECT_FALSE(a.correct(0));
  a.de = false;
  EXPECT_DOUBLE_EQ(a.p_de(), 1.0 - 0.8);
  EXPECT_TRUE(a.correct(0));
  EXPECT_FALSE(a.correct(1));
  // Brier on P(DE) vs the label equals Brier on c vs correctness (RLCR's convention).
  for (bool de : {false, true})
    for (int y : {0, 1})
      for (double c : {0.0, 0.3, 0.9}) {
        a.de = de;
        a.confidence = c;
        const double bp = (a.p_de() - y) * (a.p_de() - y);
        const double bc = (c - (a.correct(y) ? 1.0 : 0.0)) * (c - (a.correct(y) ? 1.0 : 0.0));
        EXPECT_NEAR(bp, bc, 1e-15) << de << " " << y << " " << c;
      }
}

TEST(AnswerParser, FormatAnswerRoundTrip) {
  EXPECT_EQ(format_answer(true, 0.83), "{\"de\": true, \"confidence\": 0.83}");
  EXPECT_EQ(format_answer(false, 0.5, 3), "{\"de\": false, \"confidence\": 0.500}");
  EXPECT_EQ(format_answer(true, 0.8349), "{\"de\": true, \"confidence\": 0.83}");
  for (bool de : {false, true})
    for (double c : {0.0, 0.01, 0.25, 0.5, 0.99, 1.0}) {
      auto a = parse_answer("<think>r</think>" + format_answer(de, c));
      ASSERT_TRUE(a.ok()) << a.detail;
      EXPECT_EQ(a.de, de);
      EXPECT_DOUBLE_EQ(a.confidence, c);
    }
  // Out-of-range input is clamped to a parseable answer.
  EXPECT_TRUE(parse_answer("<think>r</think>" + format_answer(true, 1.7)).ok());
  EXPECT_TRUE(parse_answer("<think>r</think>" + format_answer(true, -2)).ok());
}

TEST(AnswerParser, ReasonNames) {
  for (ParseFailure f : {ParseFailure::None, ParseFailure::NoThinkEnd, ParseFailure::NoJson, ParseFailure::BadField,
                         ParseFailure::ConfidenceOutOfRange, ParseFailure::Truncated}) {
    ParseFailure back = ParseFailure::None;
    ASSERT_TRUE(parse_failure_from_string(to_string(f), back)) << to_string(f);
    EXPECT_EQ(back, f);
  }
  EXPECT_STREQ(to_string(ParseFailure::ConfidenceOutOfRange), "confidence_out_of_range");
  ParseFailure x;
  EXPECT_FALSE(parse_failure_from_string("nope", x));
}

}  // namespace
}  // namespace ps::prompt
