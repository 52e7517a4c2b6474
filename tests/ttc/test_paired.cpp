// Paired bootstrap differences (metrics/paired.h) on a hand-computed example, and the refusal of
// different item sets that `compare` relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "metrics/paired.h"

using namespace ps;
using namespace ps::metrics;

TEST(Paired, HandComputedDifferences) {
  // labels 1 0 1 0, one gene.
  // A = 0.8 0.4 0.3 0.2: predicts 1 0 0 0 -> P 1, R 1/2, F1 2/3; Brier (.04+.16+.49+.04)/4 = .1825;
  //   every item in its own bin, so ECE = mean |y − p| = (.2+.4+.7+.2)/4 = .375; AUROC 3/4.
  // B = 0.9 0.6 0.7 0.1: predicts 1 1 1 0 -> P 2/3, R 1, F1 4/5; Brier (.01+.36+.09+.01)/4 = .1175;
  //   ECE (.1+.6+.3+.1)/4 = .275; AUROC 1.
  std::vector<double> a = {0.8, 0.4, 0.3, 0.2}, b = {0.9, 0.6, 0.7, 0.1};
  std::vector<int> y = {1, 0, 1, 0}, g = {0, 0, 0, 0};
  PairedOptions opt;
  opt.resamples = 400;
  opt.seed = 7;
  auto d = paired_differences(a, b, y, g, opt);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].metric, "f1");
  EXPECT_NEAR(d[0].a, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(d[0].b, 0.8, 1e-12);
  EXPECT_NEAR(d[0].diff, 0.8 - 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(d[1].diff, 0.1175 - 0.1825, 1e-12);
  EXPECT_NEAR(d[2].diff, 0.275 - 0.375, 1e-12);
  EXPECT_EQ(d[3].metric, "auroc_per_gene");
  EXPECT_NEAR(d[3].diff, 0.25, 1e-12);
  // The Brier difference is the weighted mean of the per-item differences
  // (.01−.04, .36−.16, .09−.49, .01−.04) = (−.03, .2, −.4, −.03) under each resample's multiplicities:
  // recompute its 95 % percentile interval from the same resamples by hand.
  const double di[] = {-0.03, 0.2, -0.4, -0.03};
  std::vector<double> vals;
  for (int r = 0; r < opt.resamples; ++r) {
    auto w = resample_weights(4, opt.seed, r);
    double s = 0;
    for (int i = 0; i < 4; ++i) s += w[i] * di[i];
    vals.push_back(s / 4);
  }
  std::sort(vals.begin(), vals.end());
  EXPECT_NEAR(d[1].ci.lo, percentile(vals, 0.025), 1e-12);
  EXPECT_NEAR(d[1].ci.hi, percentile(vals, 0.975), 1e-12);
  EXPECT_GE(d[1].ci.lo, -0.4 - 1e-12);
  EXPECT_LE(d[1].ci.hi, 0.2 + 1e-12);
  // One gene only: every gene resample is that gene, so the AUROC difference has a point interval.
  EXPECT_NEAR(d[3].ci.lo, 0.25, 1e-12);
  EXPECT_NEAR(d[3].ci.hi, 0.25, 1e-12);
}

TEST(Paired, IdenticalPredictorsDifferByZero) {
  std::vector<double> a = {0.9, 0.2, 0.6, 0.4, 0.7, 0.1};
  std::vector<int> y = {1, 0, 1, 0, 0, 1}, g = {0, 0, 1, 1, 2, 2};
  auto d = paired_differences(a, a, y, g, {});
  for (const auto& x : d) {
    EXPECT_EQ(x.diff, 0) << x.metric;
    EXPECT_EQ(x.ci.lo, 0) << x.metric;
    EXPECT_EQ(x.ci.hi, 0) << x.metric;
  }
  EXPECT_THROW(paired_differences(a, {0.5}, y, g, {}), Error);
  auto e = paired_differences({}, {}, {}, {}, {});
  EXPECT_TRUE(std::isnan(e[0].diff));
}

TEST(Paired, RefusesDifferentItemSets) {
  auto pos = align_items({"k562|A|X", "k562|A|Y", "k562|B|X"}, {"k562|B|X", "k562|A|X", "k562|A|Y"}, "run 1", "run 2");
  EXPECT_EQ(pos, std::vector<size_t>({1, 2, 0}));
  try {
    align_items({"k562|A|X", "k562|A|Y"}, {"k562|A|X", "k562|C|Z"}, "run 1", "run 2");
    FAIL() << "different item sets accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("1 only in run 1 (k562|A|Y)"), std::string::npos) << m;
    EXPECT_NE(m.find("1 only in run 2 (k562|C|Z)"), std::string::npos) << m;
  }
  EXPECT_THROW(align_items({"a"}, {"a", "b"}, "run 1", "run 2"), Error);
  EXPECT_THROW(align_items({"a", "a"}, {"a"}, "run 1", "run 2"), Error);
}
