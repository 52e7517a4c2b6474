// KNN-KG on a tiny graph with hand-computed predictions, and end to end on the real K562
// data: the fused graph with the target neighbourhood must beat STRING alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/paths.h"
#include "jobs/job.h"
#include "kg/build.h"
#include "scratch.h"
#include "kg/evaluation.h"
#include "kg/knn.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace ps::kg;

namespace {

fs::path dir() { return ps::test::scratch_dir("knn"); }
std::string write(const std::string& name, const std::string& text) {
  return ps::test::write_scratch_file("knn", name, text);
}

// STRING only: A-B 0.9, A-C 0.5; D and E isolated. No GO / Reactome content that matters.
KnowledgeGraph tiny_graph() {
  GraphInputs in;
  in.gene_info = write("gene_info.tsv",
                       "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids\n"
                       "1\tA\ta\tprotein-coding\t1\t\t\n2\tB\tb\tprotein-coding\t1\t\t\n"
                       "3\tC\tc\tprotein-coding\t1\t\t\n4\tD\td\tprotein-coding\t1\t\t\n"
                       "5\tE\te\tprotein-coding\t1\t\t\n");
  in.gene_alias = write("gene_alias.tsv", "alias_symbol\tsymbol\tentrez_id\n");
  const std::string zeros = "0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t";
  in.string_tsv = write("string.tsv",
                        "gene_a\tgene_b\tentrez_a\tentrez_b\tneighborhood\tneighborhood_transferred\tfusion\t"
                        "cooccurence\thomology\tcoexpression\tcoexpression_transferred\texperiments\t"
                        "experiments_transferred\tdatabase\tdatabase_transferred\tcombined_score\n"
                        "A\tB\t1\t2\t" + zeros + "900\nA\tC\t1\t3\t" + zeros + "500\n");
  in.go_terms = write("go_terms.tsv", "go_id\tontology\tterm\tdefinition\nGO:1\tBP\troot\tr\n");
  in.go_parents = write("go_parents.tsv", "child\tparent\trelationship_type\tontology\n");
  in.gene2go = write("gene2go.tsv", "symbol\tentrez_id\tgo_id\tevidence\tontology\n");
  in.reactome_gmt = write("reactome.gmt", "");
  return build_graph(in);
}

ps::data::Item item(const std::string& p, const std::string& g, int label) { return {"k562", p, g, label, "train"}; }

KnnConfig string_only(int k) {
  KnnConfig c;
  c.k = k;
  c.pool = 10;
  c.sources = SourceWeights::only(Source::String);
  c.power = 1;
  c.alpha = 1;
  c.target_k = 0;
  c.beta = 0;
  c.gamma = 0;
  c.combiner = "linear";  // the hand-computed formula; the learned combiner is tested in test_combiner.cpp
  return c;
}

}  // namespace

TEST(Knn, HandComputedVotesShrunkTowardBaseRate) {
  auto g = tiny_graph();
  // Train: B on Y = 1, C on Y = 0, D on Y = 1 (D is no neighbour of A). base(Y) = 2/3.
  std::vector<ps::data::Item> train = {item("B", "Y", 1), item("B", "Z", 0), item("C", "Y", 0), item("C", "Z", 0),
                                       item("D", "Y", 1)};
  KnnModel m(g, train, string_only(2));
  auto p = m.predict("A", "Y");
  // (0.9 * 1 + 0.5 * 0 + 1 * 2/3) / (0.9 + 0.5 + 1)
  EXPECT_NEAR(p.knn, (0.9 + 2.0 / 3) / 2.4, 1e-6);
  EXPECT_NEAR(p.score, p.knn, 1e-12);
  EXPECT_NEAR(p.base_rate, 2.0 / 3, 1e-12);
  EXPECT_EQ(p.n_votes, 2);
  ASSERT_GE(p.votes.size(), 2u);
  EXPECT_EQ(g.symbol(p.votes[0].neighbour), "B");
  EXPECT_EQ(p.votes[0].label, 1);
  EXPECT_NEAR(p.votes[0].weight, 0.9, 1e-6);
  EXPECT_EQ(g.symbol(p.votes[1].neighbour), "C");
  EXPECT_EQ(p.votes[1].label, 0);
  // k = 1: only B votes -> (0.9 + 2/3) / 1.9.
  KnnModel m1(g, train, string_only(1));
  EXPECT_NEAR(m1.predict("A", "Y").score, (0.9 + 2.0 / 3) / 1.9, 1e-6);
  // Strength: neighbours' DE rates B 0.5, C 0 against the mean perturber rate (0.5 + 0 + 1) / 3.
  KnnConfig with_strength = string_only(2);
  with_strength.gamma = 0.5;
  KnnModel ms(g, train, with_strength);
  auto ps_ = ms.predict("A", "Y");
  EXPECT_NEAR(ps_.strength, (0.9 * 0.5 + 0.5 * 0) / 1.4 - 0.5, 1e-6);
  EXPECT_NEAR(ps_.score, ps_.knn + 0.5 * ps_.strength, 1e-12);
  // Batch scores agree with single predictions.
  std::vector<ps::data::Item> test = {item("A", "Y", 1), item("A", "Z", 0)};
  auto s = ms.scores(test, 2);
  EXPECT_NEAR(s[0], ps_.score, 1e-12);
  EXPECT_NEAR(s[1], ms.predict("A", "Z").score, 1e-12);
}

TEST(Knn, NeighboursWithoutALabelForTheTargetDoNotVote) {
  auto g = tiny_graph();
  // B (the closest) has no label for Y: the vote falls to C.
  std::vector<ps::data::Item> train = {item("B", "Z", 1), item("C", "Y", 1), item("D", "Y", 0)};
  KnnModel m(g, train, string_only(1));
  auto p = m.predict("A", "Y");
  EXPECT_EQ(p.n_votes, 1);
  EXPECT_NEAR(p.knn, (0.5 * 1 + 1 * 0.5) / (0.5 + 1), 1e-6);
}

TEST(Knn, UnseenTargetScoredThroughItsNeighbourhood) {
  auto g = tiny_graph();
  // Train targets C and D; test target A was never read out in train.
  std::vector<ps::data::Item> train = {item("B", "C", 1), item("B", "D", 0), item("C", "C", 0), item("C", "D", 0)};
  KnnConfig c = string_only(2);
  c.target_k = 2;
  c.beta = 1;  // score = target-neighbourhood estimate
  KnnModel m(g, train, c);
  auto p = m.predict("A", "A");
  EXPECT_FALSE(p.target_seen);
  // N(Y=A) = {C: 0.5}; base = base(C) = 1/2; N(X=A) = {B: 0.9, C: 0.5}.
  // tn = (0.9*0.5*L(B,C)=1 + 0.5*0.5*L(C,C)=0 + 1 * 0.5) / (0.45 + 0.25 + 1)
  EXPECT_NEAR(p.base_rate, 0.5, 1e-12);
  EXPECT_NEAR(p.tn, (0.45 + 0.5) / 1.7, 1e-6);
  EXPECT_NEAR(p.score, p.tn, 1e-12);
  ASSERT_EQ(p.target_neighbours.size(), 1u);
  EXPECT_EQ(g.symbol(p.target_neighbours[0].gene), "C");
  // Not a constant: another perturber (E, no neighbours) gets a different score.
  EXPECT_NE(m.predict("E", "A").score, p.score);
}

TEST(KnnEvaluation, CancelledJobStops) {
  auto loc = ps::locate_data();
  if (!loc) GTEST_SKIP() << "data mirror not found";
  KnnEvalConfig cfg;
  cfg.data_dir = loc->dir;
  cfg.cache_dir = (fs::temp_directory_path() / "ps_test_kg_shared_cache").string();
  ps::jobs::JobContext ctx;
  ctx.cancel();
  EXPECT_THROW(run_knn_evaluation(cfg, ctx), ps::jobs::Cancelled);
}

TEST(KnnEvaluation, K562FusedBeatsStringOnlyAndRunIsStored) {
  auto loc = ps::locate_data();
  if (!loc) GTEST_SKIP() << "data mirror not found";
  auto g = load_or_build(GraphInputs::from_data_dir(loc->dir), {}, (fs::temp_directory_path() / "ps_test_kg_shared_cache").string());
  KnnEvalConfig fused;
  fused.data_dir = loc->dir;
  fused.bootstrap = 200;
  fused.signed_effect = false;
  fused.compare_baseline = true;  // plain STRING top-20 on the same items
  std::vector<double> fractions;
  ps::jobs::JobContext ctx([&](const ps::jobs::Progress& p) { fractions.push_back(p.fraction); });
  auto rf = run_knn_evaluation(fused, g, ctx);
  ASSERT_EQ(rf.cells.size(), 1u);
  const auto& cell = rf.cells[0];
  const auto& f = cell.summary;
  EXPECT_EQ(cell.n_test, 23212);
  ASSERT_TRUE(cell.baseline.evaluated);
  EXPECT_GT(cell.baseline.auroc_per_gene, 0.60);  // STRING top-20 (reference about 0.66)
  EXPECT_GT(cell.baseline.difference, 0.01);
  EXPECT_GT(cell.baseline.difference_ci.lo, 0.0);  // paired over genes: fused is better
  EXPECT_NEAR(cell.baseline.difference, f.auroc_per_gene - cell.baseline.auroc_per_gene, 1e-12);
  EXPECT_GE(f.auroc_per_gene, 0.68);
  EXPECT_LE(f.auroc_per_gene_ci.lo, f.auroc_per_gene);
  EXPECT_GE(f.auroc_per_gene_ci.hi, f.auroc_per_gene);
  EXPECT_GT(f.auroc_pooled, 0.5);
  EXPECT_LT(f.ece, 0.1);  // calibrated on validation
  ASSERT_FALSE(fractions.empty());
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);

  ps::store::Store st((dir() / "store.sqlite").string());
  auto ids = store_knn_runs(st, fused, rf);
  ASSERT_EQ(ids.size(), 1u);
  auto run = st.get_run(ids[0]);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->kind, "knn");
  EXPECT_EQ(run->status, ps::store::RunStatus::Finished);
  auto summary = nlohmann::json::parse(run->summary_json);
  EXPECT_NEAR(summary["auroc_per_gene"].get<double>(), f.auroc_per_gene, 1e-12);
  auto preds = st.predictions(ids[0]);
  ASSERT_EQ(preds.size(), 23212u);
  EXPECT_FALSE(preds[0].trace.empty());
  EXPECT_NE(preds[0].item_key.find("k562|"), std::string::npos);
}
