// `perturbscope-cli runs ...` end to end against a store written through the API.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "data_cli/cli_run.h"
#include "store/store.h"

namespace fs = std::filesystem;
using test_cli::cli;
using test_cli::contains;

class RunsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ps_runs_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = (dir_ / "store.sqlite").string();
    ps::store::Store s(store_);
    first_ = s.create_run("knn", "knn k562 k=20", R"({"k":20,"cell_line":"k562"})");
    s.log_metrics(first_, {{0, "auroc", 0.61}, {1, "auroc", 0.68}, {0, "loss", 1.25}});
    ps::store::Prediction p;
    p.item_key = "k562|AARS|AAK1";
    p.cell_line = "k562";
    p.perturber = "AARS";
    p.target = "AAK1";
    p.label = 1;
    p.prediction = 1;
    p.confidence = 0.75;
    p.tokens = 12;
    p.trace = "neighbours, \"AARS2\" agree";
    p.ttc_round = 2;
    s.add_predictions(first_, {p});
    std::ofstream(dir_ / "fig.svg") << "<svg/>";
    s.add_artefact(first_, "figure", (dir_ / "fig.svg").string());
    s.set_summary(first_, R"({"auroc_per_gene":0.68})");
    s.set_status(first_, ps::store::RunStatus::Finished);
    second_ = s.create_run("sft", "sft qwen", "{}");
    s.set_status(second_, ps::store::RunStatus::Failed);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string store_;
  int64_t first_ = 0, second_ = 0;
};

TEST_F(RunsCli, ListShowsRunsNewestFirst) {
  auto r = cli("runs list --store " + store_);
  ASSERT_EQ(r.code, 0) << r.all();
  size_t a = r.out.find("knn k562 k=20"), b = r.out.find("sft qwen");
  ASSERT_NE(a, std::string::npos) << r.out;
  ASSERT_NE(b, std::string::npos) << r.out;
  EXPECT_LT(b, a);
  EXPECT_TRUE(contains(r.out, "finished")) << r.out;
  EXPECT_TRUE(contains(r.out, "failed")) << r.out;

  auto j = nlohmann::json::parse(cli("runs list --json --store " + store_).out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], second_);
  EXPECT_EQ(j[1]["config"]["k"], 20);
  EXPECT_EQ(j[1]["summary"]["auroc_per_gene"], 0.68);
}

TEST_F(RunsCli, DefaultStoreComesFromTheEnvironment) {
  auto r = cli("runs list", "PERTURBSCOPE_STORE=" + store_);
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "knn k562 k=20")) << r.out;
}

TEST_F(RunsCli, ShowPrintsMetricsPredictionsAndArtefacts) {
  auto r = cli("runs show " + std::to_string(first_) + " --store " + store_);
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "auroc")) << r.out;
  EXPECT_TRUE(contains(r.out, "last step 1 = 0.68")) << r.out;
  EXPECT_TRUE(contains(r.out, "predictions 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "fig.svg")) << r.out;
  auto j = nlohmann::json::parse(cli("runs show " + std::to_string(first_) + " --json --store " + store_).out);
  EXPECT_EQ(j["status"], "finished");
  EXPECT_EQ(j["metrics"].size(), 2u);
  EXPECT_EQ(j["artefacts"][0]["bytes"], 6);
}

TEST_F(RunsCli, ExportWritesMetricsPredictionsAndRunJson) {
  fs::path out = dir_ / "export";
  auto r = cli("runs export " + std::to_string(first_) + " --out " + out.string() + " --store " + store_);
  ASSERT_EQ(r.code, 0) << r.all();
  std::vector<std::vector<std::string>> rows;
  ps::LineReader m((out / "metrics.csv").string());
  std::string line;
  std::vector<std::string> f;
  while (m.next(line)) {
    ASSERT_TRUE(ps::split_csv(line, f));
    rows.push_back(f);
  }
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"step", "name", "value"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "auroc", "0.68"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"0", "loss", "1.25"}));

  ps::LineReader p((out / "predictions.csv").string());
  ASSERT_TRUE(p.next(line));
  ASSERT_TRUE(ps::split_csv(line, f));
  EXPECT_EQ(f.front(), "item_key");
  ASSERT_TRUE(p.next(line));
  ASSERT_TRUE(ps::split_csv(line, f));
  EXPECT_EQ(f, (std::vector<std::string>{"k562|AARS|AAK1", "k562", "AARS", "AAK1", "1", "1", "0.75", "12", "2",
                                         "neighbours, \"AARS2\" agree"}));

  std::ifstream in(out / "run.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["id"], first_);
  EXPECT_EQ(j["kind"], "knn");
  EXPECT_EQ(j["config"]["cell_line"], "k562");
  EXPECT_EQ(j["metric_names"], (nlohmann::json{"auroc", "loss"}));
  EXPECT_EQ(j["artefacts"][0]["kind"], "figure");
}

TEST_F(RunsCli, BadInputIsAClearErrorNotACrash) {
  auto r = cli("runs show 999 --store " + store_);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, store_)) << r.err;
  EXPECT_TRUE(contains(r.err, "no run with id 999")) << r.err;

  EXPECT_EQ(cli("runs export " + std::to_string(first_) + " --store " + store_).code, 2);  // --out missing

  std::string missing = (dir_ / "typo.sqlite").string();
  r = cli("runs list --store " + missing);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, missing)) << r.err;
  EXPECT_FALSE(fs::exists(missing)) << "a typo must not create a store";

  std::string text = (dir_ / "notes.txt").string();
  std::ofstream(text) << "not a database, just some notes that are long enough to have a header\n";
  r = cli("runs list --store " + text);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, text + ": is not a SQLite database")) << r.err;
}

// Issue 15, fault 5: an undefined metric is NULL in the store and printed as null (show, JSON)
// or an empty field (CSV export), never as 0.
TEST_F(RunsCli, UndefinedMetricsPrintAsNullNeverZero) {
  int64_t id = 0;
  {
    ps::store::Store s(store_);
    id = s.create_run("knn", "knn all-zero labels", "{}");
    s.log_metrics(id, {{0, "auroc_per_gene", std::nan("")}, {0, "brier", 0.125}});
    ps::store::Prediction p;
    p.item_key = "x|A|B";
    p.label = 0;
    p.confidence = std::nan("");
    s.add_predictions(id, {p});
    s.set_summary(id, R"({"auroc_per_gene":null,"brier":0.125})");
    s.set_status(id, ps::store::RunStatus::Finished);
  }
  const std::string sid = std::to_string(id);
  auto show = cli("runs show " + sid + " --store " + store_);
  ASSERT_EQ(show.code, 0) << show.all();
  EXPECT_TRUE(contains(show.out, "auroc_per_gene")) << show.out;
  EXPECT_TRUE(contains(show.out, "last step 0 = null")) << show.out;
  EXPECT_FALSE(contains(show.out, "= 0\n")) << show.out;
  EXPECT_TRUE(contains(show.out, "last step 0 = 0.125")) << show.out;

  auto js = cli("runs show " + sid + " --json --store " + store_);
  ASSERT_EQ(js.code, 0) << js.all();
  auto j = nlohmann::json::parse(js.out);
  for (const auto& m : j["metrics"])
    if (m["name"] == "auroc_per_gene") EXPECT_TRUE(m["last_value"].is_null()) << m.dump();
  EXPECT_TRUE(j["summary"]["auroc_per_gene"].is_null());

  const fs::path out = dir_ / "export_null";
  auto ex = cli("runs export " + sid + " --out " + out.string() + " --store " + store_);
  ASSERT_EQ(ex.code, 0) << ex.all();
  const std::string metrics = test_cli::slurp((out / "metrics.csv").string());
  EXPECT_TRUE(contains(metrics, "0,auroc_per_gene,\n")) << metrics;
  EXPECT_TRUE(contains(metrics, "0,brier,0.125\n")) << metrics;
  const std::string preds = test_cli::slurp((out / "predictions.csv").string());
  EXPECT_FALSE(contains(preds, "nan")) << preds;
}
