// metrics/run_comparison.h on hand-computed runs: per-run metrics, paired differences against the
// first run and against another baseline, parse rates, different item sets (refused, or intersected
// with the dropped counts), and the errors that name a run.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/error.h"
#include "metrics/run_comparison.h"

using namespace ps::metrics;

namespace {

// Six items on two target genes of one cell line:
//   item      0      1      2      3      4      5
//   gene      G1     G1     G1     G2     G2     G2
//   label     1      0      0      1      1      0
// Every P(DE) below lies mid-bin (x.x5) and no two items of a run share an ECE bin, so each run's
// ECE is its mean |p − y|; F1 at p >= 0.5.
const char* kPert[] = {"P1", "P2", "P3", "P1", "P2", "P3"};
const char* kGene[] = {"G1", "G1", "G1", "G2", "G2", "G2"};
const int kLabel[] = {1, 0, 0, 1, 1, 0};

ComparisonInput run(int64_t id, const std::string& kind, const std::vector<double>& p, std::vector<bool> parsed = {}) {
  ComparisonInput r;
  r.id = id;
  r.kind = kind;
  r.name = kind + " " + std::to_string(id);
  r.parses_answers = kind != "knn";
  for (size_t i = 0; i < p.size(); ++i)
    r.items.push_back({std::string("k562|") + kPert[i] + "|" + kGene[i], std::string("k562|") + kGene[i], kLabel[i], p[i],
                       parsed.empty() ? true : bool(parsed[i])});
  return r;
}

// A: .85 .65 .15 .75 .25 .35 -> predicts 1 1 0 1 0 0: TP 2, FP 1, FN 1, F1 = 4/6 = 2/3;
//    Brier (.0225+.4225+.0225+.0625+.5625+.1225)/6 = 1.215/6; ECE (.15+.65+.15+.25+.75+.35)/6 = 2.3/6;
//    AUROC G1 (.85 vs .65, .15) = 1, G2 (.75, .25 vs .35) = 1/2: per gene 0.75.
const std::vector<double> kA = {0.85, 0.65, 0.15, 0.75, 0.25, 0.35};
// B: .95 .35 .05 .55 .65 .45 -> predicts 1 0 0 1 1 0: F1 1; Brier (.0025+.1225+.0025+.2025+.1225+.2025)/6
//    = .655/6; ECE (.05+.35+.05+.45+.35+.45)/6 = 1.7/6; AUROC 1 and 1: 1.
const std::vector<double> kB = {0.95, 0.35, 0.05, 0.55, 0.65, 0.45};
// C: .55 .75 .25 .15 .85 .05 -> predicts 1 1 0 0 1 0: TP 2, FP 1, FN 1, F1 2/3;
//    Brier (.2025+.5625+.0625+.7225+.0225+.0025)/6 = 1.575/6; ECE (.45+.75+.25+.85+.15+.05)/6 = 2.5/6;
//    AUROC G1 (.55 vs .75, .25) = 1/2, G2 (.15, .85 vs .05) = 1: 0.75.
const std::vector<double> kC = {0.55, 0.75, 0.25, 0.15, 0.85, 0.05};

const PairedDiff& diff(const ComparedDifference& d, const std::string& metric) {
  for (const auto& x : d.diffs)
    if (x.metric == metric) return x;
  throw std::runtime_error("no " + metric);
}

}  // namespace

TEST(RunComparison, HandComputedMetricsAndDifferencesAgainstTheFirstRun) {
  ComparisonOptions o;
  o.resamples = 200;
  const auto c = compare_runs({run(3, "knn", kA), run(5, "eval", kB, {true, true, true, true, true, false}), run(8, "eval", kC)}, o);
  EXPECT_EQ(c.n, 6);
  EXPECT_TRUE(c.identical_items);
  EXPECT_EQ(c.baseline, 0u);
  ASSERT_EQ(c.runs.size(), 3u);
  EXPECT_EQ(c.runs[1].id, 5);
  EXPECT_EQ(c.runs[1].kind, "eval");
  EXPECT_NEAR(c.runs[0].summary.at_threshold.f1, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(c.runs[0].summary.brier, 1.215 / 6, 1e-12);
  EXPECT_NEAR(c.runs[0].summary.ece, 2.3 / 6, 1e-12);
  EXPECT_NEAR(c.runs[0].summary.auroc_per_gene, 0.75, 1e-12);
  EXPECT_NEAR(c.runs[1].summary.at_threshold.f1, 1.0, 1e-12);
  EXPECT_NEAR(c.runs[1].summary.brier, 0.655 / 6, 1e-12);
  EXPECT_NEAR(c.runs[1].summary.ece, 1.7 / 6, 1e-12);
  EXPECT_NEAR(c.runs[1].summary.auroc_per_gene, 1.0, 1e-12);
  EXPECT_NEAR(c.runs[2].summary.brier, 1.575 / 6, 1e-12);
  EXPECT_NEAR(c.runs[2].summary.ece, 2.5 / 6, 1e-12);
  // Parse rate: undefined for KNN-KG, 5 of 6 parsed for run 5, all for run 8.
  EXPECT_TRUE(std::isnan(c.runs[0].parse_rate));
  EXPECT_NEAR(c.runs[1].parse_rate, 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(c.runs[2].parse_rate, 1.0, 1e-12);
  for (const auto& r : c.runs) {
    EXPECT_EQ(r.items_total, 6);
    EXPECT_EQ(r.items_dropped, 0);
    EXPECT_LE(r.summary.f1_ci.lo, r.summary.f1_ci.hi);
  }
  ASSERT_EQ(c.differences.size(), 2u);
  const auto& b = c.differences[0];
  EXPECT_EQ(b.run, 1u);
  EXPECT_EQ(b.against, 0u);
  EXPECT_NEAR(diff(b, "f1").diff, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(diff(b, "brier").diff, -0.56 / 6, 1e-12);
  EXPECT_NEAR(diff(b, "ece").diff, -0.6 / 6, 1e-12);
  EXPECT_NEAR(diff(b, "auroc_per_gene").diff, 0.25, 1e-12);
  const auto& cc = c.differences[1];
  EXPECT_EQ(cc.run, 2u);
  EXPECT_NEAR(diff(cc, "f1").diff, 0.0, 1e-12);
  EXPECT_NEAR(diff(cc, "brier").diff, 0.36 / 6, 1e-12);
  EXPECT_NEAR(diff(cc, "ece").diff, 0.2 / 6, 1e-12);
  EXPECT_NEAR(diff(cc, "auroc_per_gene").diff, 0.0, 1e-12);
  // The per-gene AUROC differences are (1 − 1, 1 − 1/2) = (0, 1/2) for B and (1/2 − 1, 1 − 1/2) = (−1/2, 1/2)
  // for C: a resample of the two genes gives a mean in [0, 1/2] and [−1/2, 1/2].
  EXPECT_GE(diff(b, "auroc_per_gene").ci.lo, 0.0 - 1e-12);
  EXPECT_LE(diff(b, "auroc_per_gene").ci.hi, 0.5 + 1e-12);
  EXPECT_GE(diff(cc, "auroc_per_gene").ci.lo, -0.5 - 1e-12);
  // Exactly what metrics/paired.h gives on the same items, order and seed.
  PairedOptions po;
  po.resamples = 200;
  po.seed = 1;
  std::vector<int> y(kLabel, kLabel + 6), g = {0, 0, 0, 1, 1, 1};
  const auto lib = paired_differences(kA, kB, y, g, po);
  EXPECT_NEAR(diff(b, "brier").ci.lo, lib[1].ci.lo, 1e-15);
  EXPECT_NEAR(diff(b, "brier").ci.hi, lib[1].ci.hi, 1e-15);
  // The scored items: labels and each run's P(DE), in the first run's order.
  EXPECT_EQ(c.labels, y);
  EXPECT_EQ(c.probs[2], kC);
}

TEST(RunComparison, AnotherBaselineChangesOnlyTheDifferences) {
  ComparisonOptions o;
  o.resamples = 100;
  const std::vector<ComparisonInput> in = {run(3, "knn", kA), run(5, "eval", kB), run(8, "eval", kC)};
  const auto first = compare_runs(in, o);
  o.baseline = 1;
  const auto c = compare_runs(in, o);
  EXPECT_EQ(c.baseline, 1u);
  ASSERT_EQ(c.differences.size(), 2u);
  // A − B and C − B, in input order.
  EXPECT_EQ(c.differences[0].run, 0u);
  EXPECT_EQ(c.differences[0].against, 1u);
  EXPECT_NEAR(diff(c.differences[0], "f1").diff, -1.0 / 3.0, 1e-12);
  EXPECT_NEAR(diff(c.differences[0], "brier").diff, 0.56 / 6, 1e-12);
  EXPECT_NEAR(diff(c.differences[0], "auroc_per_gene").diff, -0.25, 1e-12);
  EXPECT_EQ(c.differences[1].run, 2u);
  EXPECT_NEAR(diff(c.differences[1], "f1").diff, 2.0 / 3.0 - 1.0, 1e-12);
  EXPECT_NEAR(diff(c.differences[1], "brier").diff, 0.92 / 6, 1e-12);
  EXPECT_NEAR(diff(c.differences[1], "ece").diff, 0.8 / 6, 1e-12);
  EXPECT_NEAR(diff(c.differences[1], "auroc_per_gene").diff, -0.25, 1e-12);
  // A − B is B − A negated, with the interval mirrored (the same resamples).
  const auto& ab = diff(c.differences[0], "brier");
  const auto& ba = diff(first.differences[0], "brier");
  EXPECT_NEAR(ab.ci.lo, -ba.ci.hi, 1e-12);
  EXPECT_NEAR(ab.ci.hi, -ba.ci.lo, 1e-12);
  // Each run's own numbers and CIs do not depend on the baseline.
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(c.runs[r].summary.brier_ci.lo, first.runs[r].summary.brier_ci.lo);
    EXPECT_EQ(c.runs[r].summary.f1_ci.hi, first.runs[r].summary.f1_ci.hi);
  }
  o.baseline = 3;
  EXPECT_THROW(compare_runs(in, o), ps::Error);
}

TEST(RunComparison, DifferentItemSetsAreRefusedOrIntersected) {
  // Run 9 holds items 0..4 of B and one item of its own.
  ComparisonInput e = run(9, "eval", std::vector<double>(kB.begin(), kB.begin() + 5));
  e.items.push_back({"k562|P4|G1", "k562|G1", 0, 0.5, true});
  const std::vector<ComparisonInput> in = {run(3, "knn", kA), e};
  ComparisonOptions o;
  o.resamples = 50;
  try {
    compare_runs(in, o);
    FAIL() << "different item sets were compared";
  } catch (const ps::Error& err) {
    const std::string m = err.what();
    EXPECT_NE(m.find("not scored on the same items"), std::string::npos) << m;
    EXPECT_NE(m.find("k562|P3|G2"), std::string::npos) << m;
    EXPECT_NE(m.find("k562|P4|G1"), std::string::npos) << m;
  }
  o.item_sets = ItemSets::Intersect;
  const auto c = compare_runs(in, o);
  EXPECT_FALSE(c.identical_items);
  EXPECT_EQ(c.n, 5);
  EXPECT_EQ(c.runs[0].items_total, 6);
  EXPECT_EQ(c.runs[0].items_dropped, 1);
  EXPECT_EQ(c.runs[1].items_total, 6);
  EXPECT_EQ(c.runs[1].items_dropped, 1);
  // Items 0..4: A .85 .65 .15 .75 .25 (labels 1 0 0 1 1) predicts 1 1 0 1 0: F1 2/3, Brier 1.0925/5;
  // B .95 .35 .05 .55 .65 predicts 1 0 0 1 1: F1 1, Brier .4525/5.
  EXPECT_NEAR(c.runs[0].summary.at_threshold.f1, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(c.runs[0].summary.brier, 1.0925 / 5, 1e-12);
  EXPECT_NEAR(c.runs[1].summary.brier, 0.4525 / 5, 1e-12);
  EXPECT_NEAR(diff(c.differences[0], "f1").diff, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(diff(c.differences[0], "brier").diff, -0.64 / 5, 1e-12);
  // Identical sets in Intersect mode: nothing dropped.
  const auto same = compare_runs({run(3, "knn", kA), run(5, "eval", kB)}, o);
  EXPECT_TRUE(same.identical_items);
  EXPECT_EQ(same.runs[1].items_dropped, 0);
  // Nothing shared.
  ComparisonInput other;
  other.id = 11;
  other.kind = "eval";
  other.items.push_back({"rpe1|X|Y", "rpe1|Y", 1, 0.7, true});
  EXPECT_THROW(compare_runs({run(3, "knn", kA), other}, o), ps::Error);
}

TEST(RunComparison, ErrorsNameTheRun) {
  auto message = [](const std::vector<ComparisonInput>& in) {
    try {
      compare_runs(in, {});
    } catch (const ps::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ComparisonInput empty;
  empty.id = 4;
  empty.kind = "eval";
  EXPECT_EQ(message({run(3, "knn", kA), empty}), "run 4 (eval) has no predictions");
  auto unlabelled = run(6, "eval", kB);
  unlabelled.items[2].label = -1;
  EXPECT_EQ(message({run(3, "knn", kA), unlabelled}), "run 6: item k562|P3|G1 has no label (-1)");
  auto bad_p = run(6, "eval", kB);
  bad_p.items[1].p = 1.5;
  EXPECT_NE(message({run(3, "knn", kA), bad_p}).find("run 6: item k562|P2|G1 has P(DE) 1.5"), std::string::npos);
  auto flipped = run(6, "eval", kB);
  flipped.items[5].label = 1;
  EXPECT_EQ(message({run(3, "knn", kA), flipped}), "runs 3 and 6 disagree on the label of k562|P3|G2");
  auto twice = run(6, "eval", kB);
  twice.items.push_back(twice.items[0]);
  EXPECT_NE(message({run(3, "knn", kA), twice}).find("occurs more than once"), std::string::npos);
  EXPECT_NE(message({run(3, "knn", kA)}).find("at least two runs"), std::string::npos);
  ComparisonOptions o;
  o.resamples = -1;
  EXPECT_THROW(o.validate(), ps::Error);
}
