// Metrics against hand-computed cases and edge cases (single class, ties, empty bins).
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "metrics/auroc.h"
#include "metrics/bootstrap.h"
#include "metrics/calibration.h"
#include "metrics/classification.h"
#include "metrics/summary.h"

using namespace ps::metrics;

TEST(Auroc, HandComputedWithoutTies) {
  // Pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3/4.
  auto a = auroc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1});
  ASSERT_TRUE(a.has_value());
  EXPECT_DOUBLE_EQ(*a, 0.75);
}

TEST(Auroc, TiesCountHalf) {
  // pos 0.5 vs neg {0.2, 0.5}: 1 + 0.5; pos 0.9 vs both: 2 -> 3.5 / 4.
  EXPECT_DOUBLE_EQ(*auroc({0.2, 0.5, 0.5, 0.9}, {0, 0, 1, 1}), 0.875);
  EXPECT_DOUBLE_EQ(*auroc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5);
  // Perfectly inverted ranking.
  EXPECT_DOUBLE_EQ(*auroc({0.9, 0.8, 0.1}, {0, 0, 1}), 0.0);
}

TEST(Auroc, SingleClassIsUndefined) {
  EXPECT_FALSE(auroc({0.1, 0.2}, {1, 1}).has_value());
  EXPECT_FALSE(auroc({0.1, 0.2}, {0, 0}).has_value());
  EXPECT_FALSE(auroc({}, {}).has_value());
}

TEST(Auroc, PerGroupSkipsSingleClassGroups) {
  // group 0 perfect (1.0), group 1 inverted (0.0), group 2 all negative (skipped).
  auto g = auroc_per_group({0.1, 0.9, 0.7, 0.3, 0.5, 0.6}, {0, 1, 0, 1, 0, 0}, {0, 0, 1, 1, 2, 2});
  EXPECT_DOUBLE_EQ(g.mean, 0.5);
  EXPECT_EQ(g.groups_used, 2);
  EXPECT_EQ(g.groups_skipped, 1);
  // Group ids need not be contiguous or sorted.
  auto h = auroc_per_group({0.7, 0.1, 0.3, 0.9}, {0, 0, 1, 1}, {42, 7, 42, 7});
  EXPECT_DOUBLE_EQ(h.mean, 0.5);
}

TEST(Auroc, AllGroupsSingleClassGivesNaN) {
  auto g = auroc_per_group({0.1, 0.2}, {1, 0}, {0, 1});
  EXPECT_TRUE(std::isnan(g.mean));
  EXPECT_EQ(g.groups_used, 0);
  EXPECT_EQ(g.groups_skipped, 2);
}

TEST(Auroc, WeightsEqualDuplicatedItems) {
  std::vector<double> s = {0.1, 0.4, 0.35, 0.8};
  std::vector<int> y = {0, 0, 1, 1};
  std::vector<double> w = {2, 0, 1, 3};
  AurocIndex idx(s, y);
  // Duplicated: neg {0.1, 0.1}, pos {0.35, 0.8, 0.8, 0.8}: all 8 pairs correct.
  EXPECT_DOUBLE_EQ(*idx.pooled(&w), *auroc({0.1, 0.1, 0.35, 0.8, 0.8, 0.8}, {0, 0, 1, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(*idx.pooled(&w), 1.0);
}

TEST(Auroc, RejectsMismatchedLengthsAndNaN) {
  EXPECT_THROW(auroc({0.1, 0.2}, {1}), ps::Error);
  EXPECT_THROW(auroc({0.1, std::nan("")}, {1, 0}), ps::Error);
}

TEST(Classification, AtThreshold) {
  // preds at 0.5: 1 1 0 1 0 -> tp 2, fp 1, fn 1, tn 1.
  auto m = at_threshold({0.9, 0.8, 0.3, 0.6, 0.2}, {1, 0, 1, 1, 0}, 0.5);
  EXPECT_DOUBLE_EQ(m.tp, 2);
  EXPECT_DOUBLE_EQ(m.fp, 1);
  EXPECT_DOUBLE_EQ(m.fn, 1);
  EXPECT_DOUBLE_EQ(m.tn, 1);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3);
  // A score equal to the threshold is predicted positive.
  EXPECT_DOUBLE_EQ(at_threshold({0.5}, {1}, 0.5).tp, 1);
}

TEST(Classification, F1OptimalThreshold) {
  // Sweeping down: t=0.3 gives tp 3, fp 1, fn 0 -> P 0.75, R 1, F1 6/7 (the best).
  auto m = f1_optimal({0.9, 0.8, 0.3, 0.6, 0.2}, {1, 0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(m.threshold, 0.3);
  EXPECT_DOUBLE_EQ(m.f1, 6.0 / 7);
  EXPECT_DOUBLE_EQ(m.precision, 0.75);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
}

// scikit-learn's definitions (precision_recall_fscore_support, >= 1.3), with undefined as NaN
// where sklearn substitutes zero_division: precision needs a predicted positive, recall an actual
// positive, F1 = 2tp / (2tp + fp + fn) either of them.
TEST(Classification, ZeroDivisionConventions) {
  // Positives exist, none predicted: precision undefined, recall 0, F1 0 (sklearn: f1 0.0 without
  // zero_division; precision is the ill-defined one).
  auto none_pred = at_threshold({0.1, 0.2}, {1, 0}, 0.5);
  EXPECT_TRUE(std::isnan(none_pred.precision));
  EXPECT_DOUBLE_EQ(none_pred.recall, 0);
  EXPECT_DOUBLE_EQ(none_pred.f1, 0);
  // No positives, some predicted: precision 0, recall undefined, F1 0.
  auto no_pos_pred = at_threshold({0.9, 0.2}, {0, 0}, 0.5);
  EXPECT_DOUBLE_EQ(no_pos_pred.precision, 0);
  EXPECT_TRUE(std::isnan(no_pos_pred.recall));
  EXPECT_DOUBLE_EQ(no_pos_pred.f1, 0);
  // Neither: all three undefined (sklearn would report zero_division for each).
  auto neither = at_threshold({0.1, 0.2}, {0, 0}, 0.5);
  EXPECT_TRUE(std::isnan(neither.precision));
  EXPECT_TRUE(std::isnan(neither.recall));
  EXPECT_TRUE(std::isnan(neither.f1));
  auto empty = at_threshold({}, {}, 0.5);
  EXPECT_TRUE(std::isnan(empty.precision) && std::isnan(empty.recall) && std::isnan(empty.f1));
  // Weights that leave no positive: as if there were none.
  const std::vector<double> w = {0, 1};
  auto weighted = at_threshold({0.1, 0.2}, {1, 0}, 0.5, &w);
  EXPECT_TRUE(std::isnan(weighted.f1));
  EXPECT_TRUE(std::isnan(ThresholdMetrics{}.f1));  // a default is undefined, not 0
  // Without positives no threshold is F1-optimal: +inf, undefined.
  auto no_pos = f1_optimal({0.1, 0.9}, {0, 0});
  EXPECT_TRUE(std::isnan(no_pos.f1));
  EXPECT_TRUE(std::isnan(no_pos.precision));
  EXPECT_TRUE(std::isinf(no_pos.threshold));
  // Ties: every item shares one score, so the only threshold predicts all positive.
  auto tied = f1_optimal({0.5, 0.5, 0.5, 0.5}, {1, 0, 0, 0});
  EXPECT_DOUBLE_EQ(tied.precision, 0.25);
  EXPECT_DOUBLE_EQ(tied.f1, 0.4);
}

TEST(Calibration, Brier) {
  EXPECT_DOUBLE_EQ(brier({0.9, 0.2}, {1, 0}), (0.01 + 0.04) / 2);
  EXPECT_DOUBLE_EQ(brier({1.0, 0.0}, {1, 0}), 0.0);
  EXPECT_TRUE(std::isnan(brier({}, {})));
}

TEST(Calibration, EceHandComputedWithEmptyBins) {
  // bin 0: {0.05 | 0} gap 0.05; bin 1: {0.15, 0.15 | 1, 0} gap 0.35; bin 9: {1.0, 0.95 | 1, 1} gap 0.025.
  std::vector<double> p = {0.05, 0.15, 0.15, 1.0, 0.95};
  std::vector<int> y = {0, 1, 0, 1, 1};
  EXPECT_NEAR(ece(p, y), (0.05 + 2 * 0.35 + 2 * 0.025) / 5, 1e-12);
  auto bins = reliability_bins(p, y);
  ASSERT_EQ(bins.size(), 10u);
  EXPECT_DOUBLE_EQ(bins[1].count, 2);
  EXPECT_DOUBLE_EQ(bins[1].mean_confidence, 0.15);
  EXPECT_DOUBLE_EQ(bins[1].accuracy, 0.5);
  EXPECT_DOUBLE_EQ(bins[9].count, 2);  // 1.0 lands in the top bin
  EXPECT_DOUBLE_EQ(bins[5].count, 0);
  EXPECT_TRUE(std::isnan(bins[5].mean_confidence));
  EXPECT_DOUBLE_EQ(bins[5].lo, 0.5);
  EXPECT_DOUBLE_EQ(bins[5].hi, 0.6);
}

TEST(Calibration, BinsAreLeftClosed) {
  EXPECT_EQ(bin_of(0.0, 10), 0);
  EXPECT_EQ(bin_of(0.5, 10), 5);
  EXPECT_EQ(bin_of(0.4999, 10), 4);
  EXPECT_EQ(bin_of(1.0, 10), 9);
  EXPECT_EQ(bin_of(0.25, 4), 1);
}

TEST(Calibration, PerfectlyCalibratedHasZeroEce) {
  // In bin [0.2,0.3): five items at 0.2 with one positive.
  EXPECT_NEAR(ece({0.2, 0.2, 0.2, 0.2, 0.2}, {1, 0, 0, 0, 0}), 0.0, 1e-12);
}

TEST(Bootstrap, ResampleHasNItemsAndIsSeeded) {
  auto w1 = resample_weights(100, 7, 3);
  auto w2 = resample_weights(100, 7, 3);
  auto w3 = resample_weights(100, 7, 4);
  double sum = 0;
  for (double x : w1) sum += x;
  EXPECT_DOUBLE_EQ(sum, 100);
  EXPECT_EQ(w1, w2);
  EXPECT_NE(w1, w3);
}

TEST(Bootstrap, PercentileInterpolatesLikeNumpy) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0.0), 1);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 1.0), 4);
}

TEST(Bootstrap, MeanIntervalCoversTruthAndIndependentOfThreads) {
  // Mean of 0/1 items with p = 0.3, n = 400: the 95 % CI is about +-0.045.
  std::vector<double> x(400);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 10) < 3 ? 1.0 : 0.0;
  auto mean = [&](const std::vector<double>& w, std::vector<double>& out) {
    double s = 0, n = 0;
    for (size_t i = 0; i < x.size(); ++i) s += w[i] * x[i], n += w[i];
    out[0] = s / n;
  };
  auto a = bootstrap_cis(x.size(), 1, mean, 1000, 11, 0.95, 1)[0];
  auto b = bootstrap_cis(x.size(), 1, mean, 1000, 11, 0.95, 2)[0];
  EXPECT_DOUBLE_EQ(a.lo, b.lo);
  EXPECT_DOUBLE_EQ(a.hi, b.hi);
  EXPECT_LT(a.lo, 0.3);
  EXPECT_GT(a.hi, 0.3);
  EXPECT_NEAR(a.hi - a.lo, 2 * 1.96 * std::sqrt(0.3 * 0.7 / 400), 0.015);
}

TEST(Summary, CollectsAllMetricsWithIntervals) {
  std::vector<double> p;
  std::vector<int> y, g;
  for (int i = 0; i < 200; ++i) {
    y.push_back(i % 4 == 0);
    p.push_back(y.back() ? 0.6 + 0.001 * (i % 7) : 0.3 + 0.002 * (i % 13));
    g.push_back(i % 5);
  }
  p[0] = 0.1;  // one positive ranked below the negatives
  SummaryOptions opt;
  opt.bootstrap_resamples = 200;
  auto s = summarize_binary(p, y, g, opt);
  EXPECT_EQ(s.n, 200);
  EXPECT_EQ(s.n_positive, 50);
  EXPECT_GT(s.auroc_pooled, 0.97);
  EXPECT_LT(s.auroc_pooled, 1.0);
  EXPECT_EQ(s.genes_used, 5);
  EXPECT_LE(s.auroc_pooled_ci.lo, s.auroc_pooled);
  EXPECT_GE(s.auroc_pooled_ci.hi, s.auroc_pooled);
  EXPECT_LE(s.brier_ci.lo, s.brier);
  EXPECT_GE(s.brier_ci.hi, s.brier);
  EXPECT_DOUBLE_EQ(s.at_threshold.recall, 49.0 / 50);
  auto json = to_json(s);
  EXPECT_NE(json.find("\"auroc_per_gene_ci\""), std::string::npos);
  EXPECT_NE(json.find("\"reliability\""), std::string::npos);
}

// All labels 0 (issue 15): the undefined ratios are null in the JSON, and a bootstrap interval
// over resamples where the metric is undefined is null too, never [0, 0].
TEST(Summary, UndefinedPrecisionRecallF1AreNullWithTheirIntervals) {
  std::vector<double> p;
  std::vector<int> y, g;
  for (int i = 0; i < 40; ++i) p.push_back(0.01 * i), y.push_back(0), g.push_back(i % 4);
  SummaryOptions opt;
  opt.bootstrap_resamples = 100;
  auto s = summarize_binary(p, y, g, opt);  // every score < 0.5: nothing predicted, nothing positive
  auto j = nlohmann::json::parse(to_json(s));
  for (const char* k : {"precision", "recall", "f1", "f1_optimal", "f1_optimal_threshold", "precision_at_f1_optimal",
                        "recall_at_f1_optimal", "auroc_per_gene", "auroc_pooled"})
    EXPECT_TRUE(j[k].is_null()) << k << " in " << j.dump();
  EXPECT_TRUE(j["f1_ci"][0].is_null() && j["f1_ci"][1].is_null()) << j["f1_ci"];
  EXPECT_TRUE(j["brier"].is_number());  // defined: the mean squared probability

  // Some scores >= 0.5 (predicted DE), still no positive: precision 0 and F1 0 are defined, recall
  // is not; the F1 interval uses the resamples where F1 is defined (all of them 0).
  for (int i = 0; i < 40; ++i) p[i] = 0.025 * i;
  s = summarize_binary(p, y, g, opt);
  j = nlohmann::json::parse(to_json(s));
  EXPECT_EQ(j["precision"], 0.0);
  EXPECT_TRUE(j["recall"].is_null());
  EXPECT_EQ(j["f1"], 0.0);
  EXPECT_EQ(j["f1_ci"], nlohmann::json::array({0.0, 0.0}));
  EXPECT_TRUE(j["f1_optimal"].is_null());

  // One positive among 40: resamples that draw it have a defined F1, the others (about e^-1 of
  // them) leave it out of the interval rather than counting as 0.
  y[39] = 1;  // score 0.975, predicted DE
  p.assign(40, 0.1);
  p[39] = 0.975;
  s = summarize_binary(p, y, g, opt);
  EXPECT_DOUBLE_EQ(s.at_threshold.f1, 1.0);
  EXPECT_DOUBLE_EQ(s.f1_ci.lo, 1.0);  // wherever defined, the lone positive is found and nothing else is predicted
  EXPECT_DOUBLE_EQ(s.f1_ci.hi, 1.0);
}

#include "metrics/calibrator.h"

TEST(Calibrator, IsotonicPoolsAdjacentViolators) {
  // Labels 1,0 at the two lowest scores violate monotonicity: pooled to 0.5.
  auto c = Calibrator::fit({1, 2, 3, 4}, {1, 0, 1, 1}, Calibrator::Method::Isotonic);
  ASSERT_EQ(c.blocks().size(), 2u);
  EXPECT_DOUBLE_EQ(c(1), 0.5);
  EXPECT_DOUBLE_EQ(c(2), 0.5);
  EXPECT_DOUBLE_EQ(c(3), 1.0);
  EXPECT_DOUBLE_EQ(c(2.5), 0.75);   // interpolated between blocks
  EXPECT_DOUBLE_EQ(c(-10), 0.5);    // clipped
  EXPECT_DOUBLE_EQ(c(10), 1.0);
  // Tied scores share one value.
  auto t = Calibrator::fit({1, 1, 2}, {0, 1, 1}, Calibrator::Method::Isotonic);
  EXPECT_DOUBLE_EQ(t(1), 0.5);
}

TEST(Calibrator, IsotonicIsMonotoneAndCalibratedOnItsData) {
  std::vector<double> s;
  std::vector<int> y;
  for (int i = 0; i < 300; ++i) s.push_back((i * 37 % 101) / 100.0), y.push_back((i * 13 % 7) < (s.back() * 7));
  auto c = Calibrator::fit(s, y, Calibrator::Method::Isotonic);
  double prev = -1, mean_p = 0, mean_y = 0;
  for (double x = 0; x <= 1.0; x += 0.01) {
    EXPECT_GE(c(x), prev);
    prev = c(x);
  }
  for (size_t i = 0; i < s.size(); ++i) mean_p += c(s[i]), mean_y += y[i];
  EXPECT_NEAR(mean_p, mean_y, 1e-9);  // PAV preserves the sum of labels
}

TEST(Calibrator, PlattMatchesMeanAndIsMonotone) {
  std::vector<double> s = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
  std::vector<int> y = {0, 0, 1, 0, 0, 1, 1, 1};
  auto c = Calibrator::fit(s, y, Calibrator::Method::Platt);
  EXPECT_GT(c.platt_a(), 0);
  double mean_p = 0;
  for (double x : s) mean_p += c(x);
  // At the logistic-regression optimum the mean prediction equals the mean label.
  EXPECT_NEAR(mean_p / s.size(), 0.5, 1e-6);
  EXPECT_LT(c(0.1), c(0.8));
  EXPECT_THROW(Calibrator::method_from_string("sigmoid"), ps::Error);
  EXPECT_DOUBLE_EQ(Calibrator()(1.7), 1.0);  // identity clamps
}
