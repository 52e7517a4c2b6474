// TTC strategies on scripted completions (no model): vote aggregation, tau selection, token
// accounting, the sweep's monotone token use; one run of the LM sampler on a tiny random model.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "common/error.h"
#include "lm/config.h"
#include "lm/model.h"
#include "ttc/greedy.h"
#include "ttc/lm_sampler.h"
#include "ttc/selective.h"
#include "ttc/self_consistency.h"
#include "ttc/sweep.h"

using namespace ps;
using namespace ps::ttc;

namespace {

std::string answer(bool de, double c) { return "<think>r</think>\n" + prompt::format_answer(de, c); }

prompt::ParsedAnswer pa(bool de, double c) {
  auto p = prompt::parse_answer(answer(de, c));
  EXPECT_TRUE(p.ok());
  return p;
}

prompt::ParsedAnswer bad() { return prompt::parse_answer("no answer at all"); }

// A scripted sampler: per item, a greedy completion and a list of sampled completions handed out
// in order; records every request.
struct Script {
  std::vector<Completion> greedy;
  std::vector<std::vector<Completion>> samples;
  std::vector<std::pair<std::vector<size_t>, SampleRequest>> calls;
  Sampler sampler() {
    return [this](const std::vector<size_t>& items, const SampleRequest& req) {
      calls.push_back({items, req});
      std::vector<std::vector<Completion>> out;
      for (size_t i : items) {
        if (req.greedy) out.push_back({greedy.at(i)});
        else out.push_back(std::vector<Completion>(samples.at(i).begin(), samples.at(i).begin() + req.k));
      }
      return out;
    };
  }
};

Completion comp(bool de, double c, int64_t tokens) { return {answer(de, c), tokens, "stop_id"}; }

}  // namespace

TEST(TtcVote, ConfidenceWeightedBeatsCount) {
  // Two weak DE votes (0.55 + 0.55 = 1.1) against one strong not-DE vote (0.9 < 1.1): DE wins;
  // three weak DE (0.3 each = 0.9) against 0.95: not DE wins although outnumbered.
  auto v = aggregate({pa(true, 0.55), pa(true, 0.55), pa(false, 0.9)}, Vote::ConfidenceWeighted);
  ASSERT_TRUE(v.answer.ok());
  EXPECT_TRUE(v.answer.de);
  EXPECT_NEAR(v.p_de, 1.1 / 2.0, 1e-12);
  EXPECT_NEAR(v.answer.confidence, 0.55, 1e-12);
  v = aggregate({pa(true, 0.3), pa(true, 0.3), pa(true, 0.3), pa(false, 0.95)}, Vote::ConfidenceWeighted);
  EXPECT_FALSE(v.answer.de);
  EXPECT_NEAR(v.p_de, 0.9 / 1.85, 1e-12);
  EXPECT_NEAR(v.answer.confidence, 0.95 / 1.85, 1e-12);
  EXPECT_EQ(v.n_de, 3);
  EXPECT_EQ(v.n_not, 1);
  // Plain majority on the same samples: DE (3 votes to 1), P(DE) = 3/4.
  v = aggregate({pa(true, 0.3), pa(true, 0.3), pa(true, 0.3), pa(false, 0.95)}, Vote::Majority);
  EXPECT_TRUE(v.answer.de);
  EXPECT_NEAR(v.p_de, 0.75, 1e-12);
  // Mean P(DE): (0.3 + 0.3 + 0.3 + 0.05) / 4 = 0.2375 -> not DE with confidence 0.7625.
  v = aggregate({pa(true, 0.3), pa(true, 0.3), pa(true, 0.3), pa(false, 0.95)}, Vote::MeanPDE);
  EXPECT_FALSE(v.answer.de);
  EXPECT_NEAR(v.p_de, 0.2375, 1e-12);
  EXPECT_NEAR(v.answer.confidence, 0.7625, 1e-12);
}

TEST(TtcVote, TiesByCountThenHighestConfidence) {
  // Weights tie (0.4 + 0.4 = 0.8 = 0.8): the count decides (2 DE votes against 1).
  auto v = aggregate({pa(true, 0.4), pa(true, 0.4), pa(false, 0.8)}, Vote::ConfidenceWeighted);
  EXPECT_TRUE(v.answer.de);
  EXPECT_NEAR(v.p_de, 0.5, 1e-12);
  EXPECT_NEAR(v.answer.confidence, 0.5, 1e-12);
  // Weights and counts tie (0.5 + 0.7 = 1.2 = 0.6 + 0.6): the highest single confidence (0.7, DE).
  v = aggregate({pa(true, 0.5), pa(true, 0.7), pa(false, 0.6), pa(false, 0.6)}, Vote::ConfidenceWeighted);
  EXPECT_TRUE(v.answer.de);
  v = aggregate({pa(false, 0.5), pa(false, 0.7), pa(true, 0.6), pa(true, 0.6)}, Vote::ConfidenceWeighted);
  EXPECT_FALSE(v.answer.de);
  // Majority: counts tie 2-2, the weights decide (0.9 + 0.9 > 0.6 + 0.6).
  v = aggregate({pa(false, 0.9), pa(false, 0.9), pa(true, 0.6), pa(true, 0.6)}, Vote::Majority);
  EXPECT_FALSE(v.answer.de);
  EXPECT_NEAR(v.p_de, 0.5, 1e-12);
  // A complete tie: not DE.
  v = aggregate({pa(false, 0.7), pa(true, 0.7)}, Vote::ConfidenceWeighted);
  EXPECT_FALSE(v.answer.de);
}

TEST(TtcVote, UnparsedSamplesDoNotVote) {
  auto v = aggregate({bad(), pa(true, 0.8), bad()}, Vote::ConfidenceWeighted);
  ASSERT_TRUE(v.answer.ok());
  EXPECT_TRUE(v.answer.de);
  EXPECT_NEAR(v.p_de, 1.0, 1e-12);
  EXPECT_EQ(v.n_de + v.n_not, 1);
  v = aggregate({bad(), bad()}, Vote::ConfidenceWeighted);
  EXPECT_FALSE(v.answer.ok());
  EXPECT_EQ(v.p_de, 0.5);
  // All confidences 0: the weighted share falls back to the count share (2 of 3 DE).
  v = aggregate({pa(true, 0.0), pa(true, 0.0), pa(false, 0.0)}, Vote::ConfidenceWeighted);
  EXPECT_TRUE(v.answer.de);
  EXPECT_NEAR(v.p_de, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(vote_from_string("majority"), Vote::Majority);
  EXPECT_THROW(vote_from_string("plurality"), Error);
}

TEST(TtcStrategies, SelfConsistencyUsesKSamplesAndCountsTheirTokens) {
  Script s;
  s.greedy = {comp(true, 0.9, 5)};
  s.samples = {{comp(true, 0.6, 10), comp(false, 0.9, 11), comp(false, 0.8, 12), comp(true, 0.7, 13)}};
  auto out = SelfConsistency(4).run({0}, s.sampler());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].answer.de);  // 1.7 against 1.3
  EXPECT_NEAR(out[0].p_de, 1.3 / 3.0, 1e-12);
  EXPECT_EQ(out[0].total_tokens(), 46);
  EXPECT_EQ(out[0].round_tokens(), std::vector<int64_t>({46}));
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_FALSE(s.calls[0].second.greedy);
  EXPECT_EQ(s.calls[0].second.k, 4);
  EXPECT_THROW(SelfConsistency(0), Error);
  auto j = out[0].to_json();
  EXPECT_EQ(j["total_tokens"], 46);
  EXPECT_EQ(j["rounds"][0]["completions"].size(), 4u);
}

TEST(TtcStrategies, SelectiveSpendsExtraComputeOnlyBelowTau) {
  // Greedy confidences 0.95, 0.6, unparsed, 0.8 (tokens 5, 6, 7, 8); samples 2 per item, 10 tokens each.
  Script s;
  s.greedy = {comp(true, 0.95, 5), comp(true, 0.6, 6), {"garbled", 7, "length"}, comp(false, 0.8, 8)};
  for (int i = 0; i < 4; ++i) s.samples.push_back({comp(false, 0.9, 10), comp(false, 0.7, 10)});
  auto sc = std::make_shared<SelfConsistency>(2);
  auto out = Selective(sc, 0.75).run({0, 1, 2, 3}, s.sampler());
  ASSERT_EQ(s.calls.size(), 2u);
  EXPECT_TRUE(s.calls[0].second.greedy);
  EXPECT_EQ(s.calls[0].first, std::vector<size_t>({0, 1, 2, 3}));
  EXPECT_EQ(s.calls[1].first, std::vector<size_t>({1, 2}));  // 0.6 < 0.75 and unparsed; 0.95, 0.8 not
  // Kept greedy answers; extra compute replaced the others' answers (not DE, 1.6 / 1.6).
  EXPECT_TRUE(out[0].answer.de);
  EXPECT_NEAR(out[0].p_de, 0.95, 1e-12);
  EXPECT_FALSE(out[1].answer.de);
  EXPECT_NEAR(out[1].p_de, 0.0, 1e-12);
  EXPECT_TRUE(out[2].answer.ok());
  EXPECT_NEAR(out[3].p_de, 0.2, 1e-12);
  // Tokens: the greedy pass plus the extra round.
  EXPECT_EQ(out[0].total_tokens(), 5);
  EXPECT_EQ(out[1].total_tokens(), 6 + 20);
  EXPECT_EQ(out[2].total_tokens(), 7 + 20);
  EXPECT_EQ(out[1].round_tokens(), std::vector<int64_t>({6, 20}));
  EXPECT_EQ(out[1].rounds[0].kind, "greedy");
  EXPECT_EQ(out[1].rounds[1].kind, "sample");
  EXPECT_EQ(out[3].rounds.size(), 1u);
  // tau = 0: nothing selected, no sampling call at all.
  s.calls.clear();
  Selective(sc, 0.0).run({0, 1, 2, 3}, s.sampler());
  EXPECT_EQ(s.calls.size(), 1u);
  // tau = 1: every item below confidence 1.
  s.calls.clear();
  Selective(sc, 1.0).run({0, 1, 2, 3}, s.sampler());
  EXPECT_EQ(s.calls.at(1).first, std::vector<size_t>({0, 1, 2, 3}));
  EXPECT_THROW(Selective(sc, 1.5), Error);
  EXPECT_THROW(Selective(sc, -0.1), Error);
  EXPECT_THROW(Selective(sc, NAN), Error);
  EXPECT_THROW(Selective(nullptr, 0.5), Error);
}

TEST(TtcStrategies, GreedyIsOnePass) {
  Script s;
  s.greedy = {comp(false, 0.7, 9), {"<think>x", 4, "length"}};
  auto out = Greedy().run({0, 1}, s.sampler());
  EXPECT_NEAR(out[0].p_de, 0.3, 1e-12);
  EXPECT_EQ(out[0].total_tokens(), 9);
  EXPECT_FALSE(out[1].answer.ok());
  EXPECT_EQ(out[1].answer.failure, prompt::ParseFailure::Truncated);
  EXPECT_EQ(out[1].p_de, 0.5);
  EXPECT_EQ(s.calls.size(), 1u);
}

TEST(TtcSweep, TokensGrowWithTauAndMatchSelectiveRuns) {
  // 12 items; greedy confidence rises with the index, labels alternate, sampled votes are right.
  const int n = 12;
  Script s;
  std::vector<int> labels, groups;
  for (int i = 0; i < n; ++i) {
    labels.push_back(i % 2);
    groups.push_back(i % 3);
    s.greedy.push_back(comp(i % 3 == 0, 0.5 + 0.04 * i, 10 + i));
    s.samples.push_back({comp(i % 2 == 1, 0.9, 7), comp(i % 2 == 1, 0.8, 7), comp(i % 2 == 0, 0.55, 7)});
  }
  std::vector<size_t> all;
  for (int i = 0; i < n; ++i) all.push_back(i);
  auto g = Greedy().run(all, s.sampler());
  auto sc = std::make_shared<SelfConsistency>(3);
  auto u = sc->run(all, s.sampler());
  metrics::SummaryOptions opt;
  opt.bootstrap_resamples = 50;
  auto pts = tau_sweep(g, {{"sc", u}}, default_taus(), labels, groups, opt);
  ASSERT_EQ(pts.size(), 2u + 21u);
  EXPECT_EQ(pts[0].name, "greedy");
  EXPECT_FALSE(pts[0].selective);
  EXPECT_NEAR(pts[0].tokens_per_item, (10 + 21) / 2.0, 1e-12);  // mean of 10..21
  EXPECT_NEAR(pts[1].tokens_per_item, 21.0, 1e-12);
  double prev = -1;
  for (size_t k = 2; k < pts.size(); ++k) {
    EXPECT_TRUE(pts[k].selective);
    EXPECT_GE(pts[k].tokens_per_item, prev);
    prev = pts[k].tokens_per_item;
    // Each point equals an actual selective run at its tau.
    auto sel = Selective(sc, pts[k].tau).run(all, s.sampler());
    double tok = 0;
    for (const auto& o : sel) tok += o.total_tokens();
    EXPECT_NEAR(pts[k].tokens_per_item, tok / n, 1e-12) << "tau " << pts[k].tau;
  }
  // tau = 0 is greedy (same tokens, same F1); tau = 1 adds all 21 sampled tokens to every item.
  EXPECT_NEAR(pts[2].tokens_per_item, pts[0].tokens_per_item, 1e-12);
  EXPECT_NEAR(pts[2].summary.at_threshold.f1, pts[0].summary.at_threshold.f1, 1e-12);
  EXPECT_EQ(pts[2].n_selected, 0);
  EXPECT_NEAR(pts.back().tokens_per_item, pts[0].tokens_per_item + 21.0, 1e-12);
  EXPECT_EQ(pts.back().n_selected, n);
  // Uniform SC is right on every item: F1 = 1, and it is on the frontier; the greedy point too
  // (the cheapest).
  EXPECT_NEAR(pts[1].summary.at_threshold.f1, 1.0, 1e-12);
  EXPECT_TRUE(pts[1].pareto);
  EXPECT_TRUE(pts[0].pareto);
  auto j = pts[1].to_json();
  EXPECT_TRUE(j["tau"].is_null());
  EXPECT_EQ(j["n"], n);
  EXPECT_THROW(tau_sweep(g, {{"sc", u}}, {1.2}, labels, groups, opt), Error);
}

TEST(TtcSweep, ParetoFrontier) {
  std::vector<ScoredPoint> p(4);
  double tok[] = {10, 20, 30, 25}, f1[] = {0.5, 0.7, 0.8, 0.6};
  for (int i = 0; i < 4; ++i) {
    p[i].n = 5;
    p[i].tokens_per_item = tok[i];
    p[i].summary.at_threshold.f1 = f1[i];
  }
  mark_pareto(p);
  EXPECT_TRUE(p[0].pareto);
  EXPECT_TRUE(p[1].pareto);
  EXPECT_TRUE(p[2].pareto);
  EXPECT_FALSE(p[3].pareto);  // 25 tokens for 0.6 < 0.7 at 20
}

TEST(TtcLmSampler, GeneratesKRowsPerItemOnATinyModel) {
  auto model = lm::Model::init_random(lm::tiny_qwen3_config(64), 3);
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4, 5}, {6}};
  LmSamplerOptions opt;
  opt.max_new_tokens = 5;
  opt.batch_rows = 4;
  opt.vocab_limit = 60;
  lm::Decoder dec = [](const std::vector<int64_t>& ids) {
    std::string s;
    for (auto id : ids) s += std::to_string(id) + " ";
    return s;
  };
  auto sample = lm_sampler(model, prompts, dec, opt);
  auto out = sample({2, 0}, SampleRequest{3, false, 1});
  ASSERT_EQ(out.size(), 2u);
  for (const auto& row : out) {
    ASSERT_EQ(row.size(), 3u);
    for (const auto& c : row) {
      EXPECT_EQ(c.tokens, 5);
      EXPECT_EQ(c.finish_reason, "length");
      EXPECT_FALSE(c.text.empty());
    }
  }
  // Greedy: deterministic, and the same as the item alone.
  auto g1 = sample({0, 1}, SampleRequest{1, true, 0});
  auto g2 = sample({1}, SampleRequest{1, true, 0});
  EXPECT_EQ(g1[1][0].text, g2[0][0].text);
  EXPECT_THROW(sample({0}, SampleRequest{2, true, 0}), Error);
  EXPECT_THROW(sample({7}, SampleRequest{1, true, 0}), Error);
  // The full strategy over the model: tokens add up (greedy 5 + SC 2 × 5 when selected at tau 1).
  auto sel = Selective(std::make_shared<SelfConsistency>(2), 1.0).run({0, 1, 2}, sample);
  for (const auto& o : sel) EXPECT_EQ(o.total_tokens(), 15);
}
