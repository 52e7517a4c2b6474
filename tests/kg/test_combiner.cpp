// The learned KNN-KG combiner: the logistic regression against closed forms and its own
// optimality conditions (computed here, independently), and on the real data, that no test
// label of the evaluated line reaches any model, combiner, calibrator or selection step, and
// that leave_pair_out keeps a train pair's own label out of its prediction.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "data/splits.h"
#include "jobs/job.h"
#include "kg/build.h"
#include "kg/combiner.h"
#include "kg/evaluation.h"
#include "kg/holdout.h"
#include "kg/knn.h"
#include "scratch.h"

namespace fs = std::filesystem;
using namespace ps::kg;

namespace {

double logit(double p) { return std::log(p / (1 - p)); }

}  // namespace

TEST(LogisticCombiner, BinaryFeatureReproducesTheGroupRates) {
  // Unpenalised MLE with one binary feature: P(y | x) = the observed rate in each x group.
  std::vector<double> x;
  std::vector<int> y;
  for (int i = 0; i < 10; ++i) x.push_back(0), y.push_back(i < 3);  // rate 0.3
  for (int i = 0; i < 20; ++i) x.push_back(1), y.push_back(i < 14);  // rate 0.7
  auto c = LogisticCombiner::fit(x, y, 1, 0.0);
  const double x0 = 0, x1 = 1;
  EXPECT_NEAR(c.probability(&x0), 0.3, 1e-7);
  EXPECT_NEAR(c.probability(&x1), 0.7, 1e-7);
  EXPECT_NEAR(c.logit(&x1) - c.logit(&x0), logit(0.7) - logit(0.3), 1e-6);
}

TEST(LogisticCombiner, SatisfiesThePenalisedScoreEquations) {
  // At the optimum: sum_i (y_i - p_i) = 0 and sum_i (y_i - p_i) z_ij = l2 w_j, with z the
  // standardised features (mean and population SD computed here).
  std::vector<double> x;
  std::vector<int> y;
  uint64_t s = 12345;
  auto rnd = [&] { return (s = s * 6364136223846793005ULL + 1442695040888963407ULL) >> 11 & 0xffff; };
  for (int i = 0; i < 400; ++i) {
    const double a = rnd() / 65535.0, b = rnd() / 65535.0 * 3 - 1;
    x.push_back(a), x.push_back(b);
    y.push_back(rnd() / 65535.0 < 1 / (1 + std::exp(-(2 * a - b))) ? 1 : 0);
  }
  const double l2 = 5;
  auto c = LogisticCombiner::fit(x, y, 2, l2);
  double mu[2] = {0, 0}, sd[2] = {0, 0};
  for (int i = 0; i < 400; ++i)
    for (int j = 0; j < 2; ++j) mu[j] += x[i * 2 + j] / 400;
  for (int i = 0; i < 400; ++i)
    for (int j = 0; j < 2; ++j) sd[j] += (x[i * 2 + j] - mu[j]) * (x[i * 2 + j] - mu[j]) / 400;
  double g0 = 0, g[2] = {0, 0};
  for (int i = 0; i < 400; ++i) {
    const double r = y[i] - c.probability(&x[i * 2]);
    g0 += r;
    for (int j = 0; j < 2; ++j) g[j] += r * (x[i * 2 + j] - mu[j]) / std::sqrt(sd[j]);
  }
  EXPECT_NEAR(g0, 0, 1e-6);
  for (int j = 0; j < 2; ++j) EXPECT_NEAR(g[j], l2 * c.weights()[j], 1e-6);
  EXPECT_GT(c.weights()[0], 0);  // the generating signs
  EXPECT_LT(c.weights()[1], 0);
  // A huge penalty leaves only the intercept: the overall log-odds.
  auto flat = LogisticCombiner::fit(x, y, 2, 1e12);
  double pos = 0;
  for (int v : y) pos += v;
  EXPECT_NEAR(flat.intercept(), logit(pos / 400), 1e-6);
}

TEST(LogisticCombiner, GroupCentringIgnoresDifferencesBetweenGroups) {
  // Feature 0 is constant within each group and tracks the group's rate; feature 1 carries the
  // within-group signal. Centred within groups, feature 0 has nothing left to explain.
  std::vector<double> x;
  std::vector<int> y, groups;
  for (int g = 0; g < 6; ++g)
    for (int i = 0; i < 20; ++i) {
      const int label = i < 4 + 2 * g ? 1 : 0;
      x.push_back(g), x.push_back(label ? 1.0 + 0.1 * (i % 3) : 0.2 * (i % 4));
      y.push_back(label), groups.push_back(g);
    }
  auto c = LogisticCombiner::fit(x, y, 2, 1.0, groups);
  EXPECT_NEAR(c.weights()[0], 0, 1e-9);
  EXPECT_GT(c.weights()[1], 0.5);
  auto pooled = LogisticCombiner::fit(x, y, 2, 1.0);
  EXPECT_GT(pooled.weights()[0], 0.1);  // without centring it explains the group rates
}

TEST(LogisticCombiner, BadInputIsAClearError) {
  EXPECT_THROW(LogisticCombiner::fit({}, {}, 1, 1), ps::Error);
  EXPECT_THROW(LogisticCombiner::fit({1, 2, 3}, {0, 1}, 1, 1), ps::Error);
  EXPECT_THROW(LogisticCombiner::fit({1, 2}, {0, 2}, 1, 1), ps::Error);
  EXPECT_THROW(LogisticCombiner::fit({1, std::nan("")}, {0, 1}, 1, 1), ps::Error);
  EXPECT_THROW(LogisticCombiner::fit({1, 2}, {0, 1}, 1, -1), ps::Error);
  EXPECT_THROW(LogisticCombiner::fit({1, 2}, {0, 1}, 1, 1, {0}), ps::Error);
  // One class: the intercept only.
  auto c = LogisticCombiner::fit({1, 2, 3}, {1, 1, 1}, 1, 1);
  EXPECT_EQ(c.weights()[0], 0);
  KnnConfig bad;
  bad.combiner = "forest";
  EXPECT_THROW(bad.require_valid(), ps::Error);
  ASSERT_EQ(bad.validate().size(), 1u);
  EXPECT_EQ(bad.validate()[0].first, "combiner");
  bad.combiner = "logistic";
  bad.folds = 1;
  EXPECT_THROW(bad.require_valid(), ps::Error);
  ASSERT_EQ(bad.validate().size(), 1u);
  EXPECT_EQ(bad.validate()[0].first, "folds");
  bad.folds = 4;
  bad.l2 = std::nan("");
  bad.fit_threads = 0;
  const auto problems = bad.validate();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].first, "l2");
  EXPECT_EQ(problems[1].first, "fit_threads");
  bad.l2 = 3000;
  bad.fit_threads = 1;
  EXPECT_NO_THROW(bad.require_valid());
  // The combiner's fields survive the stored round trip.
  KnnConfig lin;
  lin.combiner = "linear";
  EXPECT_EQ(KnnConfig::from_json(lin.to_json()).combiner, "linear");
  KnnConfig lg;
  lg.folds = 5, lg.l2 = 10, lg.seed = 11, lg.unseen_target_model = false;
  const KnnConfig back = KnnConfig::from_json(lg.to_json());
  EXPECT_EQ(back.folds, 5);
  EXPECT_DOUBLE_EQ(back.l2, 10);
  EXPECT_EQ(back.seed, 11u);
  EXPECT_FALSE(back.unseen_target_model);
  EXPECT_THROW(KnnConfig::from_json(R"({"seed":-1})"), ps::Error);
}

TEST(GbdtRanker, OneStumpHasTheClosedFormLeaves) {
  // binary:logistic, one round of depth 1, eta 1, leaf L2 lambda 1, from base margin 0 (p = 0.5):
  // gradient g = p - y, hessian h = p (1 - p) = 1/4, and each leaf is -G / (H + lambda)
  // (Chen & Guestrin 2016, eq. 5), G and H summed over the leaf's rows.
  std::vector<double> x;
  std::vector<int> y, groups;
  for (int i = 0; i < 40; ++i) x.push_back(0), y.push_back(i < 8), groups.push_back(0);    // 8 of 40 DE
  for (int i = 0; i < 60; ++i) x.push_back(1), y.push_back(i < 45), groups.push_back(0);   // 45 of 60 DE
  GbdtParams p;
  p.objective = "binary:logistic";
  p.max_depth = 1, p.rounds = 1, p.eta = 1, p.min_child_weight = 0;
  const auto r = GbdtRanker::fit(x, y, 1, groups, p);
  ASSERT_EQ(r.rounds(), 1u);
  auto leaf = [](double n, double k) { return -(0.5 * n - k) / (0.25 * n + 1); };
  const double x0 = 0, x1 = 1;
  EXPECT_NEAR(r.margin(&x0), leaf(40, 8), 1e-5);
  EXPECT_NEAR(r.margin(&x1), leaf(60, 45), 1e-5);
}

TEST(GbdtRanker, PairwiseRankingIgnoresFeaturesConstantWithinAGroup) {
  // Feature 0 is constant within each group and tracks the group's DE rate; feature 1 orders the
  // rows inside each group. rank:pairwise only sees pairs within a group: each group's gradients sum
  // to 0, so a root split on feature 0 (whole groups to one side) has no gain, and stumps never use
  // it; binary:logistic stumps do (feature 0 explains the rates).
  std::vector<double> x;
  std::vector<int> y, groups;
  uint64_t s = 99;
  auto rnd = [&] { return ((s = s * 6364136223846793005ULL + 1442695040888963407ULL) >> 11 & 0xffff) / 65535.0; };
  for (int g = 0; g < 30; ++g)
    for (int i = 0; i < 40; ++i) {
      const double signal = rnd();
      const int label = rnd() < 0.05 + 0.02 * g + 0.3 * signal ? 1 : 0;
      x.push_back(g), x.push_back(signal);
      y.push_back(label), groups.push_back(g);
    }
  GbdtParams p;
  p.max_depth = 1, p.rounds = 40, p.eta = 0.1;
  const auto rank = GbdtRanker::fit(x, y, 2, groups, p);
  auto uses_feature_0 = [](const GbdtRanker& r) {
    const auto j = nlohmann::json::parse(r.to_json());
    for (const auto& t : j["trees"])
      for (size_t k = 0; k < t["left"].size(); ++k)
        if (t["left"][k].get<int>() >= 0 && t["feature"][k].get<int>() == 0) return true;
    return false;
  };
  EXPECT_FALSE(uses_feature_0(rank));
  const double lo[2] = {5, 0.1}, hi[2] = {5, 0.9};
  EXPECT_GT(rank.margin(hi), rank.margin(lo));  // the within-group signal
  p.objective = "binary:logistic";
  EXPECT_TRUE(uses_feature_0(GbdtRanker::fit(x, y, 2, groups, p)));
  // Deterministic: the same fit twice gives the same trees.
  p.objective = "rank:pairwise";
  EXPECT_EQ(GbdtRanker::fit(x, y, 2, groups, p).to_json(), rank.to_json());
  // Early stopping on a third of the groups' rows: at most `rounds`, the inner score recorded.
  std::vector<uint8_t> inner(y.size());
  for (size_t i = 0; i < inner.size(); ++i) inner[i] = i % 3 == 0;
  const auto es = GbdtRanker::fit(x, y, 2, groups, p, {}, inner);
  EXPECT_GE(es.rounds(), 1u);
  EXPECT_LE(es.rounds(), 40u);
  EXPECT_GT(es.inner_auroc(), 0.5);
  // Nothing to stop on (no inner group with both classes): all rounds.
  std::vector<uint8_t> one_class(y.size(), 0);
  for (size_t i = 0; i < y.size(); ++i) one_class[i] = y[i] == 0 && groups[i] == 0;
  const auto all = GbdtRanker::fit(x, y, 2, groups, p, {}, one_class);
  EXPECT_EQ(all.rounds(), 40u);
  EXPECT_TRUE(std::isnan(all.inner_auroc()));
}

TEST(GbdtRanker, BadInputIsAClearError) {
  GbdtParams p;
  p.rounds = 2;
  const std::vector<int> g2 = {0, 0};
  EXPECT_THROW(GbdtRanker::fit({}, {}, 1, {}, p), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, 2, 3}, {0, 1}, 1, g2, p), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, 2}, {0, 2}, 1, g2, p), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, std::nan("")}, {0, 1}, 1, g2, p), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, 2}, {0, 1}, 1, {0}, p), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, 2}, {0, 1}, 1, g2, p, {1, -1}), ps::Error);
  EXPECT_THROW(GbdtRanker::fit({1, 2}, {0, 1}, 1, g2, p, {}, {1, 1}), ps::Error);  // no rows left to fit
  GbdtParams bad;
  bad.objective = "rank:ndcg";
  bad.max_depth = 0;
  bad.eta = 0;
  const auto problems = bad.validate();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].first, "objective");
  EXPECT_EQ(problems[1].first, "max_depth");
  EXPECT_EQ(problems[2].first, "eta");
  EXPECT_THROW(GbdtRanker::fit({1, 2}, {0, 1}, 1, g2, bad), ps::Error);
  // KnnConfig names the fields as the CLI and the forms do; they survive the stored round trip.
  KnnConfig c;
  c.combiner = "gbdt";
  EXPECT_TRUE(c.validate().empty());
  c.gbdt_depth = 13;
  c.gbdt_rounds = 0;
  c.gbdt_eta = std::nan("");
  c.gbdt_objective = "huber";
  c.gbdt_min_child_weight = -1;
  std::set<std::string> fields;
  for (const auto& [f, m] : c.validate()) fields.insert(f);
  EXPECT_EQ(fields, (std::set<std::string>{"gbdt_objective", "gbdt_depth", "gbdt_rounds", "gbdt_eta",
                                           "gbdt_min_child_weight"}));
  KnnConfig g;
  g.combiner = "gbdt";
  g.gbdt_objective = "binary:logistic", g.gbdt_depth = 3, g.gbdt_rounds = 123, g.gbdt_eta = 0.2;
  g.gbdt_min_child_weight = 2, g.gbdt_early_stopping = false;
  const KnnConfig back = KnnConfig::from_json(g.to_json());
  EXPECT_EQ(back.combiner, "gbdt");
  EXPECT_EQ(back.gbdt_objective, "binary:logistic");
  EXPECT_EQ(back.gbdt_depth, 3);
  EXPECT_EQ(back.gbdt_rounds, 123);
  EXPECT_DOUBLE_EQ(back.gbdt_eta, 0.2);
  EXPECT_DOUBLE_EQ(back.gbdt_min_child_weight, 2);
  EXPECT_FALSE(back.gbdt_early_stopping);
  EXPECT_THROW(KnnConfig::from_json(R"({"gbdt_depth":"deep"})"), ps::Error);
}

TEST(KnnHoldout, UnseenTargetCarveMovesWholeTargets) {
  std::vector<ps::data::Item> items;
  for (int p = 0; p < 5; ++p)
    for (int t = 0; t < 10; ++t)
      items.push_back({"k562", "P" + std::to_string(p), "T" + std::to_string(t), (p + t) % 2, p < 4 ? "train" : "test"});
  auto carved = carve_unseen_targets(items, 0.3, 7);
  std::set<std::string> train_t, test_t;
  size_t n_test = 0;
  for (const auto& it : carved) {
    EXPECT_NE(it.pert, "P4");  // the official test items are dropped
    (it.split == "test" ? test_t : train_t).insert(it.gene);
    n_test += it.split == "test";
  }
  EXPECT_EQ(test_t.size(), 3u);
  EXPECT_EQ(n_test, 12u);
  for (const auto& t : test_t) EXPECT_EQ(train_t.count(t), 0u);
  auto test = ps::data::select_split(carved, "test"), train = ps::data::select_split(carved, "train");
  EXPECT_TRUE(mostly_unseen_targets(train, test));
  EXPECT_FALSE(mostly_unseen_targets(carved, test));
  EXPECT_THROW(carve_unseen_targets(items, 1.5, 7), ps::Error);
}

namespace {

struct RealData {
  std::string dir;
  KnowledgeGraph graph;
};

const RealData* real_data() {
  static std::unique_ptr<RealData> d = [] {
    std::unique_ptr<RealData> out;
    auto loc = ps::locate_data();
    if (!loc) return out;
    out = std::make_unique<RealData>();
    out->dir = loc->dir;
    out->graph = load_or_build(GraphInputs::from_data_dir(loc->dir), {},
                               (fs::temp_directory_path() / "ps_test_kg_shared_cache").string());
    return out;
  }();
  return d.get();
}

// A K562 subset small enough for a test: 300 train and 60 test perturbers (sorted by name).
std::vector<ps::data::Item> k562_subset(const std::string& dir) {
  auto resolver = ps::data::SymbolResolver::load(dir);
  auto ds = ps::data::load_perturbqa(dir, "k562", "de", &resolver);
  std::map<std::string, std::set<std::string>> perts;
  for (const auto& it : ds.items) perts[it.split].insert(it.pert);
  std::set<std::string> keep;
  for (const auto& [split, ps_] : perts) {
    size_t n = 0;
    for (const auto& p : ps_)
      if (n++ < (split == "train" ? 300u : 60u)) keep.insert(p);
  }
  std::vector<ps::data::Item> out;
  for (const auto& it : ds.items)
    if (keep.count(it.pert)) out.push_back(it);
  return out;
}

std::string write_csv(const std::string& name, const std::vector<ps::data::Item>& items) {
  std::string text = "pert,gene,label,split\n";
  for (const auto& it : items) text += it.pert + "," + it.gene + "," + std::to_string(it.label) + "," + it.split + "\n";
  return ps::test::write_scratch_file("combiner", name, text);
}

KnnEvalResult evaluate(const RealData& d, const std::string& csv, const std::string& test_split,
                       bool cross_line_evidence = false, const KnnConfig& knn = KnnConfig{}) {
  KnnEvalConfig cfg;
  cfg.knn = knn;
  cfg.cross_line_evidence = cross_line_evidence;
  cfg.data_dir = d.dir;
  cfg.cell_lines = {"k562"};
  cfg.csv = csv;
  cfg.test_split = test_split;
  cfg.bootstrap = 0;
  cfg.signed_effect = false;
  cfg.keep_predictions = true;
  ps::jobs::JobContext ctx;
  return run_knn_evaluation(cfg, d.graph, ctx);
}

// Every prediction, the calibrator and the validation score are the same for both runs.
void expect_same_outputs(const KnnEvalResult& a, const KnnEvalResult& b) {
  ASSERT_EQ(a.cells.size(), 1u);
  ASSERT_EQ(b.cells.size(), 1u);
  const auto &ca = a.cells[0], &cb = b.cells[0];
  EXPECT_EQ(ca.calibrator_json, cb.calibrator_json);
  EXPECT_EQ(ca.val_auroc_per_gene, cb.val_auroc_per_gene);
  EXPECT_EQ(ca.calibration_split, cb.calibration_split);
  ASSERT_EQ(ca.predictions.size(), cb.predictions.size());
  for (size_t i = 0; i < ca.predictions.size(); ++i) {
    ASSERT_EQ(ca.predictions[i].perturber, cb.predictions[i].perturber);
    ASSERT_EQ(ca.predictions[i].target, cb.predictions[i].target);
    ASSERT_EQ(ca.predictions[i].score, cb.predictions[i].score) << "item " << i;
    ASSERT_EQ(ca.predictions[i].probability, cb.predictions[i].probability) << "item " << i;
    ASSERT_EQ(ca.predictions[i].trace, cb.predictions[i].trace) << "item " << i;
  }
}

std::vector<ps::data::Item> flipped(std::vector<ps::data::Item> items, const std::string& split) {
  for (auto& it : items)
    if (it.split == split) it.label = 1 - it.label;
  return items;
}

}  // namespace

TEST(KnnLeakage, FlippingEveryTestLabelChangesNoPrediction) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  auto items = k562_subset(d->dir);
  auto a = evaluate(*d, write_csv("official.csv", items), "test");
  auto b = evaluate(*d, write_csv("official_flipped.csv", flipped(items, "test")), "test");
  expect_same_outputs(a, b);
  EXPECT_EQ(a.cells[0].calibration_split, "perturber");
  // The metrics do see the flip (the test is not vacuous) ...
  EXPECT_NEAR(a.cells[0].summary.auroc_per_gene + b.cells[0].summary.auroc_per_gene, 1.0, 1e-9);
  // ... and a flipped *train* label does reach the predictions.
  auto c = evaluate(*d, write_csv("official_train_flipped.csv", flipped(items, "train")), "test");
  EXPECT_NE(a.cells[0].predictions[0].score, c.cells[0].predictions[0].score);
}

TEST(KnnLeakage, GbdtCombinerSeesNoTestLabel) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  KnnConfig gbdt;
  gbdt.combiner = "gbdt";
  gbdt.gbdt_rounds = 60;
  auto items = k562_subset(d->dir);
  auto a = evaluate(*d, write_csv("gbdt.csv", items), "test", false, gbdt);
  auto b = evaluate(*d, write_csv("gbdt_flipped.csv", flipped(items, "test")), "test", false, gbdt);
  expect_same_outputs(a, b);
  EXPECT_NEAR(a.cells[0].summary.auroc_per_gene + b.cells[0].summary.auroc_per_gene, 1.0, 1e-9);
  // The trees are fitted (not the logistic stage 1), deterministically, and a train label does reach them.
  auto train = ps::data::select_split(items, "train");
  KnnModel m1(d->graph, train, gbdt), m2(d->graph, train, gbdt);
  ASSERT_NE(m1.combiner(), nullptr);
  ASSERT_NE(m1.combiner()->trees(), nullptr);
  EXPECT_EQ(m1.combiner()->to_json(), m2.combiner()->to_json());
  auto c = evaluate(*d, write_csv("gbdt_train_flipped.csv", flipped(items, "train")), "test", false, gbdt);
  EXPECT_NE(a.cells[0].predictions[0].score, c.cells[0].predictions[0].score);
  // leave_pair_out uses the per-fold trees (fitted without the pair's perturber fold).
  const auto lpo = m1.predict_many({train[0]}, 1, false, true)[0];
  EXPECT_TRUE(std::isfinite(lpo.score));
}

TEST(KnnLeakage, UnseenTargetRegimeSeesNoTestLabel) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  // Seen perturbers, unseen targets: 20 % of the subset's train targets become "test_gene".
  auto items = carve_unseen_targets(k562_subset(d->dir), 0.2, 3);
  for (auto& it : items)
    if (it.split == "test") it.split = "test_gene";
  auto a = evaluate(*d, write_csv("genes.csv", items), "test_gene");
  auto b = evaluate(*d, write_csv("genes_flipped.csv", flipped(items, "test_gene")), "test_gene");
  expect_same_outputs(a, b);
  EXPECT_EQ(a.cells[0].calibration_split, "target");
  EXPECT_EQ(a.cells[0].unseen_targets, a.cells[0].n_test);
  EXPECT_GT(a.cells[0].summary.auroc_per_gene, 0.5);  // informative through the perturber's own labels
}

TEST(KnnLeakage, GbdtUnseenTargetRegimeSeesNoTestLabel) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  KnnConfig gbdt;
  gbdt.combiner = "gbdt";
  gbdt.gbdt_rounds = 60;
  auto items = carve_unseen_targets(k562_subset(d->dir), 0.2, 3);
  for (auto& it : items)
    if (it.split == "test") it.split = "test_gene";
  auto a = evaluate(*d, write_csv("gbdt_genes.csv", items), "test_gene", false, gbdt);
  auto b = evaluate(*d, write_csv("gbdt_genes_flipped.csv", flipped(items, "test_gene")), "test_gene", false, gbdt);
  expect_same_outputs(a, b);
  EXPECT_EQ(a.cells[0].calibration_split, "target");
  EXPECT_EQ(a.cells[0].unseen_targets, a.cells[0].n_test);
  // The unseen-target combiner is the gbdt one (trees fitted).
  KnnModel m(d->graph, ps::data::select_split(items, "train"), gbdt);
  ASSERT_NE(m.combiner(true), nullptr);
  EXPECT_NE(m.combiner(true)->trees(), nullptr);
}

TEST(KnnLeakage, LeavePairOutKeepsTheOwnLabelOut) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  auto items = k562_subset(d->dir);
  auto train = ps::data::select_split(items, "train");
  KnnModel m(d->graph, train, KnnConfig{});
  ASSERT_NE(m.combiner(), nullptr);
  // Positive and negative train pairs: flip one at a time, refit, and the pair's own
  // leave-pair-out prediction stays (up to the documented O(1 / train items) global means).
  std::vector<size_t> probe;
  for (size_t i = 0; i < train.size() && probe.size() < 4; i += 997) probe.push_back(i);
  for (size_t i : probe) {
    auto other = train;
    other[i].label = 1 - other[i].label;
    KnnModel mo(d->graph, other, KnnConfig{});
    auto p = m.predict_many({train[i]}, 2, false, true)[0];
    auto q = mo.predict_many({train[i]}, 2, false, true)[0];
    EXPECT_NEAR(p.base_rate, q.base_rate, 1e-12) << train[i].pert << " " << train[i].gene;
    EXPECT_NEAR(p.knn, q.knn, 1e-12);
    EXPECT_EQ(p.n_votes, q.n_votes);
    ASSERT_EQ(p.features.size(), q.features.size());
    for (size_t j = 0; j < p.features.size(); ++j)
      EXPECT_NEAR(p.features[j], q.features[j], 2e-3) << knn_feature_names()[j];
    EXPECT_NEAR(p.score, q.score, 0.01);
    // Without leave_pair_out the flipped label is visible (the base rate counts it).
    EXPECT_NE(m.predict_many({train[i]}, 2)[0].base_rate, mo.predict_many({train[i]}, 2)[0].base_rate);
  }
}

TEST(KnnLeakage, CrossLineEvidenceUsesOnlyOtherLinesAndNoTestLabel) {
  const RealData* d = real_data();
  if (!d) GTEST_SKIP() << "data mirror not found";
  auto resolver = ps::data::SymbolResolver::load(d->dir);
  auto others = other_line_items(d->dir, "k562", "de", &resolver);
  size_t expected = 0;
  for (const auto& c : {"rpe1", "hepg2", "jurkat"}) expected += ps::data::load_perturbqa(d->dir, c, "de", &resolver).items.size();
  EXPECT_EQ(others.size(), expected);
  for (const auto& it : others) ASSERT_NE(it.cell_line, "k562");
  // The evaluated line's test labels, flipped, change nothing; the other lines' labels do matter.
  auto items = k562_subset(d->dir);
  auto a = evaluate(*d, write_csv("evidence.csv", items), "test", true);
  auto b = evaluate(*d, write_csv("evidence_flipped.csv", flipped(items, "test")), "test", true);
  expect_same_outputs(a, b);
  EXPECT_EQ(a.cells[0].setting, "cross-line-evidence");
  auto plain = evaluate(*d, write_csv("evidence_plain.csv", items), "test", false);
  EXPECT_NE(a.cells[0].predictions[0].score, plain.cells[0].predictions[0].score);
}
