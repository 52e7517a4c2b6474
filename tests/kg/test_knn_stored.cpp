// run_and_store_knn_evaluation (issue 14): the store kept in step with a KNN evaluation, one run
// per cell line. Each line's run is running (with its progress) while the line is evaluated and
// finished, with exactly the results of the evaluate-then-store path, as soon as the line is done;
// a cancel or a failure keeps the finished lines and marks the running one with its reason.
// Two "cell lines" of a small PerturbQA-format file cut from K562 (a CSV is evaluated under any
// label), on the data mirror's graph.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "jobs/job.h"
#include "kg/build.h"
#include "kg/evaluation.h"
#include "scratch.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace ps::kg;
using ps::store::RunStatus;

namespace {

fs::path dir() { return ps::test::scratch_dir("knn_stored"); }

// The first `n_train` train and `n_test` test perturbers of the official K562 file, at most 150 rows each.
std::string small_csv(const std::string& data_dir, size_t n_train, size_t n_test) {
  std::ifstream in(ps::data::perturbqa_path(data_dir, "k562", "de"));
  std::string line;
  std::getline(in, line);
  std::ostringstream out;
  out << "pert,gene,label,split\n";
  std::map<std::string, int> train, test;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (f.size() != 4 || (f[3] != "train" && f[3] != "test")) continue;
    auto& perts = f[3] == "train" ? train : test;
    if (!perts.count(f[0]) && perts.size() >= (f[3] == "train" ? n_train : n_test)) continue;
    if (perts[f[0]]++ >= 150) continue;
    out << f[0] << "," << f[1] << "," << f[2] << "," << f[3] << "\n";
  }
  const std::string p = (dir() / "small.csv").string();
  std::ofstream(p) << out.str();
  return p;
}

class KnnStored : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loc = ps::locate_data();
    if (!loc) return;
    data_dir_ = loc->dir;
    graph_ = new KnowledgeGraph(load_or_build(GraphInputs::from_data_dir(data_dir_), {}, cache_dir()));
    csv_ = small_csv(data_dir_, 40, 8);
  }
  static void TearDownTestSuite() {
    delete graph_;
    graph_ = nullptr;
  }
  void SetUp() override {
    if (!graph_) GTEST_SKIP() << "data mirror not found";
  }
  static std::string cache_dir() { return (fs::temp_directory_path() / "ps_test_kg_shared_cache").string(); }
  static std::string fresh_store(const std::string& name) {
    const std::string p = (dir() / name).string();
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(p + ext);
    return p;
  }
  // Two labels for the same file: two units of work of the same size.
  static KnnEvalConfig config() {
    KnnEvalConfig c;
    c.data_dir = data_dir_;
    c.cache_dir = cache_dir();
    c.csv = csv_;
    c.cell_lines = {"a", "b"};
    c.bootstrap = 50;
    return c;
  }
  // A run's summary without its timings (the only field that differs between two evaluations).
  static nlohmann::json summary_without_seconds(const ps::store::Run& r) {
    auto j = nlohmann::json::parse(r.summary_json);
    j.erase("seconds");
    return j;
  }
  // Everything stored for run `a` of store `sa` equals run `b` of store `sb`, bit for bit.
  static void expect_same_run(ps::store::Store& sa, int64_t a, ps::store::Store& sb, int64_t b) {
    const auto ra = sa.get_run(a), rb = sb.get_run(b);
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(ra->name, rb->name);
    EXPECT_EQ(ra->config_json, rb->config_json);
    EXPECT_EQ(ra->status, RunStatus::Finished);
    EXPECT_EQ(rb->status, RunStatus::Finished);
    EXPECT_EQ(summary_without_seconds(*ra), summary_without_seconds(*rb));
    const auto names = sa.metric_names(a);
    EXPECT_EQ(names, sb.metric_names(b));
    EXPECT_GE(names.size(), 7u);
    for (const auto& n : names) {
      const auto ma = sa.metrics(a, n), mb = sb.metrics(b, n);
      ASSERT_EQ(ma.size(), 1u) << n;
      ASSERT_EQ(mb.size(), 1u) << n;
      if (std::isnan(ma[0].value)) EXPECT_TRUE(std::isnan(mb[0].value)) << n;
      else EXPECT_EQ(ma[0].value, mb[0].value) << n;
    }
    const auto pa = sa.predictions(a), pb = sb.predictions(b);
    ASSERT_EQ(pa.size(), pb.size());
    ASSERT_FALSE(pa.empty());
    for (size_t i = 0; i < pa.size(); ++i) {
      EXPECT_EQ(pa[i].item_key, pb[i].item_key);
      EXPECT_EQ(pa[i].confidence, pb[i].confidence) << pa[i].item_key;
      EXPECT_EQ(pa[i].prediction, pb[i].prediction) << pa[i].item_key;
      EXPECT_EQ(pa[i].trace, pb[i].trace) << pa[i].item_key;
    }
  }

  static std::string data_dir_, csv_;
  static KnowledgeGraph* graph_;
};

std::string KnnStored::data_dir_, KnnStored::csv_;
KnowledgeGraph* KnnStored::graph_ = nullptr;

}  // namespace

TEST_F(KnnStored, RunningRowsWhileItRunsAndExactlyTheResultsOfStoringAtTheEnd) {
  // The reference: evaluate everything, then store (the path the GUI used to take).
  KnnEvalConfig cfg = config();
  ps::jobs::JobContext plain;
  const KnnEvalResult ref = run_knn_evaluation(cfg, *graph_, plain);
  ps::store::Store ref_store(fresh_store("ref.sqlite"));
  const auto ref_ids = store_knn_runs(ref_store, cfg, ref);
  ASSERT_EQ(ref_ids.size(), 2u);

  const std::string path = fresh_store("stored.sqlite");
  ps::store::Store store(path);
  ps::store::Store viewer(path);  // another connection, as the GUI's runs model reads it
  std::vector<std::string> seen;  // what a viewer saw at each step
  cfg.on_cell_start = [&](const std::string& cell, size_t index) {
    const auto runs = viewer.list_runs();  // newest first
    ASSERT_EQ(runs.size(), index + 1) << cell;
    EXPECT_EQ(runs[0].name.rfind("knn " + cell + " ", 0), 0u) << runs[0].name;
    EXPECT_EQ(runs[0].status, RunStatus::Running) << cell;
    EXPECT_EQ(runs[0].pid, int64_t(::getpid()));
    EXPECT_EQ(runs[0].summary_json, "{}");
    if (index > 0) EXPECT_EQ(runs[1].status, RunStatus::Finished);  // the line before: done and filled
    seen.push_back("start " + cell);
  };
  cfg.on_cell_done = [&](const CellLineResult& cell) {
    const auto runs = viewer.list_runs();
    ASSERT_FALSE(runs.empty());
    EXPECT_EQ(runs[0].name.rfind("knn " + cell.cell_line + " ", 0), 0u);
    EXPECT_EQ(runs[0].status, RunStatus::Finished);  // filled before the next line starts
    EXPECT_FALSE(viewer.metrics(runs[0].id, "auroc_per_gene").empty());
    seen.push_back("done " + cell.cell_line);
  };
  // The first report of a job is always forwarded: by then the first line's run carries it.
  bool first = true;
  ps::jobs::JobContext ctx([&](const ps::jobs::Progress& p) {
    if (!first) return;
    first = false;
    const auto runs = viewer.list_runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, RunStatus::Running);
    EXPECT_EQ(runs[0].progress, 0.0);
    EXPECT_EQ(runs[0].progress_message, p.message);
    EXPECT_EQ(p.message, "a: loading items");
    seen.push_back("progress " + p.message);
  });
  KnnStoredRuns stored;
  const KnnEvalResult res = run_and_store_knn_evaluation(cfg, graph_, store, ctx, stored);
  EXPECT_EQ(seen, (std::vector<std::string>{"start a", "progress a: loading items", "done a", "start b", "done b"}));
  ASSERT_EQ(stored.finished.size(), 2u);
  EXPECT_EQ(stored.unfinished, 0);
  EXPECT_EQ(stored.unfinished_cell_line, "");
  EXPECT_EQ(store.list_runs().size(), 2u);
  for (size_t i = 0; i < 2; ++i) expect_same_run(ref_store, ref_ids[i], store, stored.finished[i]);
  // The returned results too (less the timings).
  ASSERT_EQ(res.cells.size(), ref.cells.size());
  for (size_t i = 0; i < res.cells.size(); ++i) {
    auto a = nlohmann::json::parse(ref.cells[i].to_json()), b = nlohmann::json::parse(res.cells[i].to_json());
    a.erase("seconds");
    b.erase("seconds");
    EXPECT_EQ(a, b);
  }
}

TEST_F(KnnStored, CancelKeepsTheFinishedLineAndRecordsTheRunningOne) {
  KnnEvalConfig cfg = config();
  ps::jobs::JobContext plain;
  const KnnEvalResult ref = run_knn_evaluation(cfg, *graph_, plain);
  ps::store::Store ref_store(fresh_store("ref_cancel.sqlite"));
  const int64_t ref_a = store_knn_run(ref_store, cfg, ref.cells[0]);

  ps::store::Store store(fresh_store("cancel.sqlite"));
  ps::jobs::JobContext ctx;
  // The user cancels once the second line is running (its run exists).
  cfg.on_cell_start = [&](const std::string& cell, size_t) {
    if (cell == "b") ctx.cancel();
  };
  KnnStoredRuns stored;
  EXPECT_THROW(run_and_store_knn_evaluation(cfg, graph_, store, ctx, stored, "cancelled in the test"),
               ps::jobs::Cancelled);
  ASSERT_EQ(stored.finished.size(), 1u);
  ASSERT_NE(stored.unfinished, 0);
  EXPECT_EQ(stored.unfinished_cell_line, "b");
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 2u);
  expect_same_run(ref_store, ref_a, store, stored.finished[0]);
  const auto b = store.get_run(stored.unfinished);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name.rfind("knn b ", 0), 0u) << b->name;
  EXPECT_EQ(b->status, RunStatus::Cancelled);
  EXPECT_EQ(b->status_reason, "cancelled in the test during b");
  EXPECT_FALSE(b->finished_at.empty());
  const auto summary = nlohmann::json::parse(b->summary_json);
  EXPECT_EQ(summary["status"], "cancelled");
  EXPECT_EQ(summary["message"], "cancelled in the test during b");
  EXPECT_TRUE(store.metric_names(b->id).empty());
  EXPECT_TRUE(store.predictions(b->id).empty());
}

// An error once the line's inputs were accepted (here from the hook; in practice a store or memory
// failure) is a failed computation: recorded.
TEST_F(KnnStored, FailureMarksTheRunningLineFailedWithTheError) {
  KnnEvalConfig cfg = config();
  ps::store::Store store(fresh_store("fail.sqlite"));
  ps::jobs::JobContext ctx;
  cfg.on_cell_inputs_ready = [&](const std::string& cell, size_t) {
    if (cell == "b") throw ps::Error("disk on fire while starting b");
  };
  KnnStoredRuns stored;
  EXPECT_THROW(run_and_store_knn_evaluation(cfg, graph_, store, ctx, stored), ps::Error);
  ASSERT_EQ(stored.finished.size(), 1u);
  EXPECT_EQ(store.get_run(stored.finished[0])->status, RunStatus::Finished);
  const auto b = store.get_run(stored.unfinished);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, RunStatus::Failed);
  EXPECT_EQ(b->status_reason, "disk on fire while starting b");
  EXPECT_EQ(nlohmann::json::parse(b->summary_json)["status"], "failed");
  EXPECT_EQ(store.list_runs().size(), 2u);
}

// A refused input (issue 15: bad input is an error naming it, not a failed run) leaves no run,
// although the line's run existed, running, while the input was read; a line finished before it stays.
TEST_F(KnnStored, ARefusedInputLeavesNoRunButKeepsTheLinesBefore) {
  // One train perturber: KNN and the calibrator need at least two (evaluation.cpp run_task).
  std::ifstream in(csv_);
  std::string header, line, first_pert;
  std::getline(in, header);
  std::ostringstream one;
  one << header << "\n";
  while (std::getline(in, line)) {
    const std::string pert = line.substr(0, line.find(','));
    if (line.find(",train") != std::string::npos) {
      if (first_pert.empty()) first_pert = pert;
      if (pert != first_pert) continue;
    }
    one << line << "\n";
  }
  // Line a reads the good file; then the file is replaced, and line b (each line reads the file
  // when it starts) reads the bad one.
  KnnEvalConfig cfg = config();
  cfg.csv = (dir() / "changing.csv").string();
  fs::copy_file(csv_, cfg.csv, fs::copy_options::overwrite_existing);
  ps::store::Store store(fresh_store("refused.sqlite"));
  ps::jobs::JobContext ctx;
  bool was_running = false;
  cfg.on_cell_done = [&](const CellLineResult&) { std::ofstream(cfg.csv) << one.str(); };
  cfg.on_cell_start = [&](const std::string& cell, size_t) {
    if (cell == "b") was_running = store.list_runs().front().status == RunStatus::Running;
  };
  KnnStoredRuns stored;
  try {
    run_and_store_knn_evaluation(cfg, graph_, store, ctx, stored);
    FAIL() << "a file with one train perturber was accepted";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("1 perturber"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(was_running);
  EXPECT_EQ(stored.unfinished, 0);
  ASSERT_EQ(stored.finished.size(), 1u);
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, stored.finished[0]);
  EXPECT_EQ(runs[0].status, RunStatus::Finished);
}

TEST_F(KnnStored, ABadConfigurationLeavesNoRun) {
  KnnEvalConfig cfg = config();
  cfg.bootstrap = -1;
  ps::store::Store store(fresh_store("bad.sqlite"));
  ps::jobs::JobContext ctx;
  KnnStoredRuns stored;
  EXPECT_THROW(run_and_store_knn_evaluation(cfg, graph_, store, ctx, stored), ps::Error);
  EXPECT_TRUE(store.list_runs().empty());
  EXPECT_EQ(stored.unfinished, 0);
}

// Without a graph the job loads it first; its first line's run exists from the start, so a cancel
// while the graph loads is recorded too (a cancelled job always leaves a row).
TEST_F(KnnStored, CancelWhileTheGraphLoadsIsRecorded) {
  KnnEvalConfig cfg = config();
  ps::store::Store store(fresh_store("cancel_graph.sqlite"));
  ps::jobs::JobContext ctx;
  ctx.cancel();
  KnnStoredRuns stored;
  EXPECT_THROW(run_and_store_knn_evaluation(cfg, nullptr, store, ctx, stored), ps::jobs::Cancelled);
  EXPECT_TRUE(stored.finished.empty());
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, stored.unfinished);
  EXPECT_EQ(runs[0].status, RunStatus::Cancelled);
  EXPECT_EQ(runs[0].status_reason, "cancelled by the user during a");
}
