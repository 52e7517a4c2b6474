// The ttc and compare commands on bad input, and compare on hand-made runs in a scratch store.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "data_cli/cli_run.h"
#include "lm/config.h"
#include "lm/tokenizer/bpe_trainer.h"
#include "lm/model.h"
#include "metrics/paired.h"
#include "scratch.h"
#include "serve_child.h"
#include "store/store.h"

namespace fs = std::filesystem;
using test_cli::cli;
using test_cli::contains;

namespace {

ps::store::Prediction pred(const std::string& pert, const std::string& gene, int label, double p_de) {
  ps::store::Prediction p;
  p.item_key = "k562|" + pert + "|" + gene;
  p.cell_line = "k562";
  p.perturber = pert;
  p.target = gene;
  p.label = label;
  p.confidence = p_de;
  p.prediction = p_de >= 0.5;
  return p;
}

}  // namespace

TEST(TtcCli, BadInputIsRefused) {
  const fs::path dir = ps::test::scratch_dir("ttc_cli");
  const std::string store = (dir / "s.db").string();
  auto r = cli("ttc --model /nonexistent --tau 1.5 --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--tau must be in [0, 1]")) << r.all();
  r = cli("ttc --model /nonexistent --k 0 --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--k must be")) << r.all();
  r = cli("ttc --model /nonexistent --strategies greedy,bfx --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "unknown strategy 'bfx'")) << r.all();
  r = cli("ttc --model /nonexistent --strategies bf --tau -0.1 --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--tau must be in [0, 1]")) << r.all();
  r = cli("ttc --model /nonexistent --strategies bf --bf-rounds 0 --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--bf-rounds must be in [1,")) << r.all();
  r = cli("ttc --model /nonexistent --strategies bf --bf-budget 0 --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--bf-budget must be in [1,")) << r.all();
  r = cli("ttc --model /nonexistent --strategies bf --bf-budget x --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--bf-budget")) << r.all();
  r = cli("ttc --model /nonexistent --strategies bf --bf-cue '' --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "--bf-cue")) << r.all();
  r = cli("ttc --model /nonexistent --tau 0.5 --tau-sweep --no-store");
  EXPECT_EQ(r.code, 2) << r.all();
  // A model folder without its tokenizer.
  const fs::path model = dir / "model";
  ps::lm::Model::init_random(ps::lm::tiny_qwen3_config(64), 1).save(model.string());
  r = cli("ttc --model " + model.string() + " --no-store");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "no tokenizer.json")) << r.all();
  // A tokenizer without "</think>": budget forcing cannot cut back to the reasoning.
  const fs::path no_think = dir / "no_think";
  ps::lm::Model::init_random(ps::lm::tiny_qwen3_config(384), 1).save(no_think.string());
  {
    ps::tokenizer::BpeTrainerOptions opt;
    opt.num_merges = 20;
    opt.non_special_tokens = {};
    ps::tokenizer::save_tokenizer_json(ps::tokenizer::train_bpe({"hello world hello world"}, opt),
                                       (no_think / "tokenizer.json").string());
  }
  r = cli("ttc --model " + no_think.string() + " --strategies greedy,bf --no-store");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "no \"</think>\" token")) << r.all();
  // A run without a model, a run of the wrong kind, no such run.
  {
    ps::store::Store st(store);
    const int64_t sft = st.create_run("sft", "unfinished", "{}");
    const int64_t knn = st.create_run("knn", "knn", "{}");
    EXPECT_EQ(sft, 1);
    EXPECT_EQ(knn, 2);
  }
  r = cli("ttc --run 1 --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "has no trained model")) << r.all();
  r = cli("ttc --run 2 --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "not sft or grpo")) << r.all();
  r = cli("ttc --run 9 --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
}

TEST(CompareCli, PairedDifferencesOnIdenticalItemsAndRefusalOtherwise) {
  const fs::path dir = ps::test::scratch_dir("compare_cli");
  const std::string store = (dir / "s.db").string();
  std::vector<double> a = {0.8, 0.4, 0.3, 0.2}, b = {0.9, 0.6, 0.7, 0.1};
  std::vector<int> y = {1, 0, 1, 0};
  const char* perts[] = {"A", "B", "C", "D"};
  int64_t ra, rb, rc, rempty;
  {
    ps::store::Store st(store);
    ra = st.create_run("knn", "knn k562", "{}");
    rb = st.create_run("ttc", "ttc greedy,sc", "{}");
    rc = st.create_run("eval", "eval other items", "{}");
    rempty = st.create_run("eval", "nothing", "{}");
    std::vector<ps::store::Prediction> pa, pb, pc;
    for (int i = 0; i < 4; ++i) {
      pa.push_back(pred(perts[i], "G", y[i], a[i]));
      pb.push_back(pred(perts[3 - i], "G", y[3 - i], b[3 - i]));  // another order: aligned by key
      pc.push_back(pred(perts[i], i == 3 ? "H" : "G", y[i], b[i]));
    }
    st.add_predictions(ra, pa);
    st.add_predictions(rb, pb);
    st.add_predictions(rc, pc);
  }
  auto r = cli("compare " + std::to_string(ra) + " " + std::to_string(rb) + " --bootstrap 200 --json --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n"], 4);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["kind"], "knn");
  EXPECT_NEAR(j["runs"][0]["f1"].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(j["runs"][1]["f1"].get<double>(), 0.8, 1e-12);
  const auto& d = j["differences"][0];
  EXPECT_EQ(d["against"], ra);
  EXPECT_NEAR(d["f1"]["diff"].get<double>(), 0.8 - 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(d["brier"]["diff"].get<double>(), -0.065, 1e-12);
  EXPECT_NEAR(d["ece"]["diff"].get<double>(), -0.1, 1e-12);
  EXPECT_NEAR(d["auroc_per_gene"]["diff"].get<double>(), 0.25, 1e-12);
  // Same interval as the library on the same items, order and seed (1).
  ps::metrics::PairedOptions po;
  po.resamples = 200;
  po.seed = 1;
  auto lib = ps::metrics::paired_differences(a, b, y, {0, 0, 0, 0}, po);
  EXPECT_NEAR(d["brier"]["ci"][0].get<double>(), lib[1].ci.lo, 1e-12);
  EXPECT_NEAR(d["brier"]["ci"][1].get<double>(), lib[1].ci.hi, 1e-12);
  // Different item sets: refused, naming the difference.
  r = cli("compare " + std::to_string(ra) + " " + std::to_string(rc) + " --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "not scored on the same items")) << r.all();
  EXPECT_TRUE(contains(r.err, "k562|D|G")) << r.all();
  EXPECT_TRUE(contains(r.err, "k562|D|H")) << r.all();
  // --intersect: the three shared items (A, B, C on gene G).
  r = cli("compare " + std::to_string(ra) + " " + std::to_string(rc) + " --intersect --bootstrap 50 --json --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["runs"][0]["items_dropped"], 1);
  EXPECT_EQ(j["runs"][1]["items_dropped"], 1);
  // A on 0.8 0.4 0.3, B on 0.9 0.6 0.7 (labels 1 0 1): Brier (.04+.16+.49)/3 vs (.01+.36+.09)/3.
  EXPECT_NEAR(j["differences"][0]["brier"]["diff"].get<double>(), (0.46 - 0.69) / 3, 1e-12);
  r = cli("compare " + std::to_string(ra) + " " + std::to_string(rempty) + " --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "has no predictions")) << r.all();
  r = cli("compare " + std::to_string(ra) + " --store " + store);
  EXPECT_EQ(r.code, 2) << r.all();
  r = cli("compare " + std::to_string(ra) + " x --store " + store);
  EXPECT_EQ(r.code, 2) << r.all();
}

TEST(CompareCli, IntersectReportsDroppedItemsAndRepeatsAreRefused) {
  const fs::path dir = ps::test::scratch_dir("compare_cli_intersect");
  const std::string store = (dir / "s.db").string();
  fs::remove(store);
  int64_t ra, rb, rc;
  {
    ps::store::Store st(store);
    ra = st.create_run("knn", "whole split", "{}");
    rb = st.create_run("eval", "subset", "{}");
    rc = st.create_run("eval", "other items", "{}");
    std::vector<ps::store::Prediction> pa, pb, pc;
    const char* perts[] = {"A", "B", "C", "D", "E"};
    for (int i = 0; i < 5; ++i) pa.push_back(pred(perts[i], "G", i % 2, 0.2 + 0.1 * i));
    for (int i = 0; i < 2; ++i) pb.push_back(pred(perts[i], "G", i % 2, 0.7 - 0.1 * i));
    pc.push_back(pred("Z", "H", 1, 0.9));
    st.add_predictions(ra, pa);
    st.add_predictions(rb, pb);
    st.add_predictions(rc, pc);
  }
  const std::string a = std::to_string(ra), b = std::to_string(rb), c = std::to_string(rc);
  // The text output names what each run lost to --intersect (3 of A's 5 items, none of B's).
  auto r = cli("compare " + a + " " + b + " --intersect --bootstrap 20 --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "2 items held by every run (--intersect: run " + a + " dropped 3, run " + b + " dropped 0)"))
      << r.all();
  EXPECT_FALSE(contains(r.out, "identical in every run")) << r.all();
  // No shared item: one prefix, not "compare: error: compare: ...".
  r = cli("compare " + a + " " + c + " --intersect --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "compare: error: the runs share no item")) << r.all();
  // The same run twice: a usage error naming it.
  r = cli("compare " + a + " " + a + " --store " + store);
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "compare: run " + a + " is given twice")) << r.all();
  r = cli("compare " + a + " " + b + " " + a + " --store " + store);
  EXPECT_EQ(r.code, 2) << r.all();
  // A store that does not exist is an error naming it, and nothing is created there.
  const std::string missing = (dir / "no-such" / "store.sqlite").string();
  r = cli("compare " + a + " " + b + " --store " + missing);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, missing + ": no such store")) << r.all();
  EXPECT_FALSE(fs::exists(dir / "no-such")) << r.all();
}

// eval's text output on one item: the per-gene AUROC (one class) and its difference against KNN-KG are
// undefined and print as n/a, never as a number or nan.
TEST(EvalCli, UndefinedPairedDifferencePrintsNa) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const fs::path dir = ps::test::scratch_dir("eval_na");
  const fs::path model = dir / "policy";
  ps::test::tiny_tokenizer(model);
  ps::lm::Model::init_random(ps::lm::tiny_qwen3_config(384), 1).save(model.string());
  auto r = cli("eval --model " + model.string() + " --cell-line all --split val --n 1 --max-new-tokens 4 --bootstrap 10 --no-store");
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "policy - KNN-KG auroc_per_gene  n/a")) << r.all();
  EXPECT_FALSE(contains(r.out, "nan")) << r.all();
}

// End to end on the data mirror: a tiny random policy (answers are garbage, so every greedy answer
// is unparsed and every item gets the extra samples at tau > 0): the output's shape, the token
// accounting and the stored run.
TEST(TtcCli, TauSweepOnTinyPolicyStoresTheRun) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const fs::path dir = ps::test::scratch_dir("ttc_e2e");
  const fs::path model = dir / "policy";
  ps::test::tiny_tokenizer(model);
  ps::lm::Model::init_random(ps::lm::tiny_qwen3_config(384), 1).save(model.string());
  const std::string store = (dir / "s.db").string();
  auto r = cli("ttc --model " + model.string() + " --n 4 --k 2 --tau-sweep --max-new-tokens 6 --bootstrap 20 --json --store " +
               store);
  ASSERT_EQ(r.code, 0) << r.all();
  auto j = nlohmann::json::parse(r.out);
  const auto& pts = j["strategies"];
  ASSERT_EQ(pts.size(), 2u + 21u);
  EXPECT_EQ(pts[0]["name"], "greedy");
  EXPECT_EQ(pts[0]["n"], 4);
  // Tokens: at tau 0 nothing is selected (greedy's tokens); at tau 1 every (unparsed) item is, so
  // greedy's plus uniform SC's; completions stop at 6 tokens.
  const double g = pts[0]["tokens_per_item"].get<double>(), sc = pts[1]["tokens_per_item"].get<double>();
  EXPECT_GT(g, 0);
  EXPECT_LE(g, 6);
  EXPECT_GT(sc, g);
  EXPECT_LE(sc, 12);
  EXPECT_NEAR(pts[2]["tokens_per_item"].get<double>(), g, 1e-12);        // tau 0
  EXPECT_NEAR(pts[22]["tokens_per_item"].get<double>(), g + sc, 1e-12);  // tau 1
  EXPECT_EQ(pts[22]["n_selected"], 4);
  ps::store::Store st(store);
  const int64_t id = j["run_id"].get<int64_t>();
  EXPECT_EQ(st.get_run(id)->kind, "ttc");
  // The job wrote its progress to its run (cli/progress.h), for the Runs view.
  EXPECT_GT(st.get_run(id)->progress, 0.0);
  EXPECT_FALSE(st.get_run(id)->progress_message.empty());
  const auto preds = st.predictions(id);
  ASSERT_EQ(preds.size(), 4u);
  double total = 0;
  for (const auto& p : preds) {
    EXPECT_EQ(p.ttc_round, 2);
    auto d = nlohmann::json::parse(p.details_json);
    ASSERT_EQ(d["tokens_per_round"].size(), 2u);
    EXPECT_EQ(p.tokens, d["tokens_per_round"][0].get<int64_t>() + d["tokens_per_round"][1].get<int64_t>());
    EXPECT_EQ(d["rounds"][0]["kind"], "greedy");
    EXPECT_EQ(d["rounds"][1]["completions"].size(), 2u);
    total += p.tokens;
  }
  EXPECT_NEAR(total / 4, g + sc, 1e-12);
}

// Budget forcing end to end on the tiny random policy: its answers never parse, so every item gets
// "Wait" rounds until the thinking budget (8) is spent: round 0 thinks 6 tokens without closing, round
// 1 may think 8 − 6 = 2 more, then "</think>" is forced and the answer generated; round 2 has no budget
// left and an answer stands, so it does not run.
TEST(TtcCli, BudgetForcingSweepStoresEveryRound) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const fs::path dir = ps::test::scratch_dir("ttc_bf_e2e");
  const fs::path model = dir / "policy";
  ps::test::tiny_tokenizer(model);
  ps::lm::Model::init_random(ps::lm::tiny_qwen3_config(384), 1).save(model.string());
  const std::string store = (dir / "s.db").string();
  auto r = cli("ttc --model " + model.string() +
               " --n 4 --k 2 --strategies greedy,sc,bf --tau-sweep --max-new-tokens 6 --bf-rounds 3 --bf-budget 8"
               " --bootstrap 20 --json --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  auto j = nlohmann::json::parse(r.out);
  const auto& pts = j["strategies"];
  ASSERT_EQ(pts.size(), 3u + 2u * 21u);  // greedy, sc, bf uniform; sc and bf at 21 taus
  EXPECT_EQ(pts[0]["name"], "greedy");
  EXPECT_EQ(pts[2]["name"], "bf");
  EXPECT_EQ(pts[2]["selective"], false);
  for (const char* key : {"name", "selective", "tau", "n", "f1", "f1_ci", "brier", "ece", "tokens_per_item"})
    EXPECT_TRUE(pts[2].contains(key)) << key;
  const double g = pts[0]["tokens_per_item"].get<double>(), bf = pts[2]["tokens_per_item"].get<double>();
  EXPECT_GT(bf, g);
  const auto& bf0 = pts[3 + 21];  // bf at tau 0
  const auto& bf1 = pts[3 + 41];  // bf at tau 1
  EXPECT_EQ(bf0["name"], "bf");
  EXPECT_EQ(bf0["selective"], true);
  EXPECT_NEAR(bf0["tau"].get<double>(), 0.0, 1e-12);
  EXPECT_NEAR(bf0["tokens_per_item"].get<double>(), g, 1e-12);
  EXPECT_NEAR(bf1["tokens_per_item"].get<double>(), bf, 1e-12);
  EXPECT_EQ(bf1["n_selected"], 4);
  ps::store::Store st(store);
  const auto preds = st.predictions(j["run_id"].get<int64_t>());
  ASSERT_EQ(preds.size(), 4u);
  double total = 0;
  for (const auto& p : preds) {
    auto d = nlohmann::json::parse(p.details_json);
    EXPECT_EQ(d["strategy"], "selective-bf");
    const auto& rounds = d["rounds"];
    ASSERT_GE(rounds.size(), 2u);
    EXPECT_EQ(rounds[0]["kind"], "greedy");
    EXPECT_EQ(p.ttc_round, static_cast<int>(rounds.size()));
    int64_t sum = 0, thinking = 0;
    for (size_t k = 0; k < rounds.size(); ++k) {
      const auto& c = rounds[k]["completions"][0];
      EXPECT_EQ(d["tokens_per_round"][k].get<int64_t>(), c["tokens"].get<int64_t>());
      sum += c["tokens"].get<int64_t>();
      thinking += c["thinking_tokens"].get<int64_t>();
      if (k == 0) continue;
      EXPECT_EQ(rounds[k]["kind"], "wait");
      // The continued response starts with the original reasoning (all of round 0: it never closed).
      const std::string t0 = rounds[0]["completions"][0]["text"], tk = c["text"];
      const std::string reasoning = t0.substr(0, t0.find("</think>"));
      EXPECT_EQ(tk.rfind(reasoning, 0), 0u) << tk;
      EXPECT_GE(c["kept_tokens"].get<int64_t>(), 1);
      EXPECT_GE(c["appended_tokens"].get<int64_t>(), 1);  // the cue (and any forced "</think>")
    }
    EXPECT_LE(thinking, 8);
    EXPECT_EQ(p.tokens, sum);
    EXPECT_EQ(d["total_tokens"].get<int64_t>(), sum);
    EXPECT_TRUE(d["outcomes"].contains("sc"));
    total += p.tokens;
  }
  EXPECT_NEAR(total / 4, bf, 1e-12);
  // Selective at one tau: greedy and bf points only.
  r = cli("ttc --model " + model.string() +
          " --n 3 --strategies bf --tau 0.5 --max-new-tokens 6 --bf-budget 8 --bootstrap 10 --json --no-store");
  ASSERT_EQ(r.code, 0) << r.all();
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["strategies"].size(), 2u);
  EXPECT_EQ(j["strategies"][1]["name"], "bf");
  EXPECT_EQ(j["strategies"][1]["selective"], true);
  EXPECT_GT(j["strategies"][1]["tokens_per_item"].get<double>(), j["strategies"][0]["tokens_per_item"].get<double>());
}
