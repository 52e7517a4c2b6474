// The evidence teacher (teach/evidence_teacher.h): every number of its trace is the prompt's,
// after the prompt's own words; its answer is the KNN-KG probability in the parser's convention.
#include <gtest/gtest.h>

#include <cmath>

#include "prompt/answer_parser.h"
#include "prompt/evidence.h"
#include "teach/evidence_teacher.h"

using namespace ps;

namespace {

// MED12 -> MYC: neighbours closest first (hit, hit, non-hit, hit, non-hit), Y DE after 12% of 850.
prompt::ItemEvidence evidence() {
  prompt::ItemEvidence e;
  e.cell_line = "k562";
  e.perturber = "MED12";
  e.target = "MYC";
  e.perturber_in_graph = true;
  e.neighbours = {{"MED13", 0.9, 1}, {"CCNC", 0.8, 1}, {"CDK8", 0.7, 0}, {"MED24", 0.6, 1}, {"MED16", 0.5, 0}};
  e.target_train_n = 850;
  e.target_de_rate = 0.12;
  e.string_score = 0.4;
  e.knn_probability = 0.734;
  return e;
}

}  // namespace

TEST(EvidenceTeacher, TraceCopiesThePromptsNumbersAfterItsWords) {
  const auto e = evidence();
  prompt::EvidenceLimits lim;
  lim.show_similarity = false;
  lim.max_neighbours = 3;  // the prompt shows MED13, CCNC (hits) and CDK8 (non-hit)
  const std::string shown = prompt::render_evidence(e, lim, false);
  ASSERT_NE(shown.find("2 hits: MED13, CCNC"), std::string::npos) << shown;
  ASSERT_NE(shown.find("DE after 12% of 850 training knockdowns"), std::string::npos) << shown;

  const auto t = teach::evidence_trace(e, 1, lim);
  EXPECT_EQ(t.reasoning,
            "Closest knockdowns: 2 hits, 1 non-hit.\n"
            "DE after 12% of 850 training knockdowns; STRING 0.40.\n"
            "DE is likely.");
  // No gene name is restated (a small policy would have to copy it for nothing).
  EXPECT_EQ(t.reasoning.find("MYC"), std::string::npos);
}

TEST(EvidenceTeacher, AnswerIsTheKnnProbabilityInTheParsersConvention) {
  auto e = evidence();
  prompt::EvidenceLimits lim;
  auto t = teach::evidence_trace(e, 1, lim);
  EXPECT_TRUE(t.de);
  EXPECT_DOUBLE_EQ(t.confidence, 0.73);  // rounded to two decimals, as the answer states it
  EXPECT_TRUE(t.correct);
  auto parsed = prompt::parse_answer(t.completion());
  ASSERT_TRUE(parsed.ok()) << t.completion();
  EXPECT_TRUE(parsed.de);
  EXPECT_NEAR(parsed.p_de(), 0.73, 1e-12);

  e.knn_probability = 0.2;  // not DE, confidence 0.8 in "not DE"; wrong for a DE label
  t = teach::evidence_trace(e, 1, lim);
  EXPECT_FALSE(t.de);
  EXPECT_DOUBLE_EQ(t.confidence, 0.8);
  EXPECT_NEAR(t.p_de, 0.2, 1e-12);
  EXPECT_FALSE(t.correct);
  EXPECT_NE(t.reasoning.find("DE is unlikely."), std::string::npos);
}

TEST(EvidenceTeacher, MissingEvidenceIsSaidNotInvented) {
  prompt::ItemEvidence e;
  e.perturber = "X";
  e.target = "Y";
  e.perturber_in_graph = false;
  prompt::EvidenceLimits lim;
  const auto t = teach::evidence_trace(e, 0, lim);
  EXPECT_NE(t.reasoning.find("Closest knockdowns: none measured."), std::string::npos) << t.reasoning;
  EXPECT_NE(t.reasoning.find("No training knockdowns; no STRING link."), std::string::npos) << t.reasoning;
  // Without KNN-KG or a rate the teacher falls back to the overall prior (0.14): not DE.
  EXPECT_FALSE(t.de);
  EXPECT_DOUBLE_EQ(t.confidence, 0.86);
  EXPECT_TRUE(t.correct);
}

TEST(EvidenceTeacher, TraceWithoutTheRateStatesHitsAndTheDirectLinkOnly) {
  const auto e = evidence();
  prompt::EvidenceLimits lim;
  lim.max_neighbours = 3;
  const auto t = teach::evidence_trace(e, 1, lim, {false});
  EXPECT_EQ(t.reasoning,
            "Closest knockdowns: 2 hits, 1 non-hit.\n"
            "Direct link: STRING 0.40.\n"
            "DE is likely.");
  EXPECT_DOUBLE_EQ(t.confidence, 0.73);  // the answer is the same KNN-KG probability
}
