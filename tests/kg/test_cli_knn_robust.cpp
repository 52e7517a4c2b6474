// Issue 15 through the `knn` command: flags range-checked before any work (faults 4, 10), inputs
// checked up front (10), undefined metrics NULL in the store (5), one bounded thread count (2),
// and Ctrl-C / PERTURBSCOPE_PROGRESS through the shared progress path with finished cell lines
// kept and a cancelled run recorded (12).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/parallel.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "data_cli/cli_run.h"
#include "store/store.h"

namespace fs = std::filesystem;
using test_cli::contains;

namespace {

fs::path tmp() {
  fs::path d = fs::temp_directory_path() / ("ps_test_knn_robust_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string cache_dir() { return (fs::temp_directory_path() / "ps_test_kg_shared_cache").string(); }

test_cli::Result knn(const std::string& args, const std::string& env = "") {
  return test_cli::cli("knn " + args + " --cache-dir " + cache_dir(), env);
}

// The first rows of the official K562 file: `n_train_perts` train perturbers, a few test ones.
struct Rows {
  std::vector<std::vector<std::string>> train, test;
};
Rows k562_rows(const std::string& data_dir, size_t n_train_perts, size_t n_test_perts) {
  std::ifstream in(ps::data::perturbqa_path(data_dir, "k562", "de"));
  std::string line;
  std::getline(in, line);
  Rows r;
  std::map<std::string, int> train_perts, test_perts;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (f.size() != 4) continue;
    auto& perts = f[3] == "train" ? train_perts : test_perts;
    const size_t limit = f[3] == "train" ? n_train_perts : n_test_perts;
    if (!perts.count(f[0]) && perts.size() >= limit) continue;
    if (perts[f[0]]++ >= 150) continue;  // at most 150 rows per perturber
    (f[3] == "train" ? r.train : r.test).push_back(f);
  }
  return r;
}

std::string write_csv(const std::string& name, const Rows& r, bool zero_test_labels = false) {
  const std::string p = (tmp() / name).string();
  std::ofstream out(p);
  out << "pert,gene,label,split\n";
  for (const auto& f : r.train) out << f[0] << "," << f[1] << "," << f[2] << ",train\n";
  for (const auto& f : r.test) out << f[0] << "," << f[1] << "," << (zero_test_labels ? "0" : f[2]) << ",test\n";
  return p;
}

}  // namespace

TEST(KnnFlags, NumbersAreRangeCheckedBeforeAnyWork) {
  struct Case {
    const char* flag;
    const char* value;
  };
  const Case cases[] = {{"k", "4294967297"},      {"k", "0"},          {"k", "20x"},         {"pool", "99999999999"},
                        {"bootstrap", "4294967296"}, {"bootstrap", "-1"}, {"beta", "nan"},     {"beta", "2"},
                        {"alpha", "0"},          {"alpha", "nan"},    {"alpha", "1e308"},    {"gamma", "-1"},
                        {"power", "inf"},        {"threshold", "nan"}, {"threshold", "1.5"}, {"val-fraction", "1"},
                        {"threads", "1000"},     {"threads", "0"},    {"seed", "-1"},        {"target-k", "1e3"}};
  for (const auto& c : cases) {
    // A data folder that does not exist: the flag must be reported first, before any lookup.
    auto r = knn("--cell-line k562 --no-store --data /nonexistent/ps --" + std::string(c.flag) + " " + c.value);
    EXPECT_EQ(r.code, 2) << c.flag << " " << c.value << ": " << r.all();
    EXPECT_TRUE(contains(r.err, "--" + std::string(c.flag))) << r.err;
    EXPECT_FALSE(contains(r.err, "loading")) << r.err;
  }
  // The thread cap is documented in the message.
  auto r = knn("--cell-line k562 --no-store --threads 1000");
  EXPECT_TRUE(contains(r.err, "between 1 and " + std::to_string(ps::max_threads()))) << r.err;
}

TEST(KnnInputs, BadPathsAreReportedBeforeTheEvaluation) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const fs::path d = tmp() / "inputs";
  fs::create_directories(d / "folder.csv");
  auto r = knn("--cell-line x --csv " + (d / "folder.csv").string() + " --no-store");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "folder.csv") && contains(r.err, "is a folder")) << r.err;
  EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
  r = knn("--cell-line x --csv " + (d / "missing.csv").string() + " --no-store");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "missing.csv")) << r.err;
  // A store that cannot be opened: said at once, not after the work.
  std::ofstream(d / "plain_file") << "x";
  for (const std::string store : {(d / "plain_file" / "store.sqlite").string(), (d / "folder.csv").string()}) {
    r = knn("--cell-line k562 --bootstrap 0 --store " + store);
    EXPECT_EQ(r.code, 1) << r.all();
    EXPECT_TRUE(contains(r.err, store)) << r.err;
    EXPECT_FALSE(contains(r.err, "loading the knowledge graph")) << "the store must be checked first: " << r.err;
  }
}

TEST(KnnInputs, OneTrainPerturberAndBadUtf8AreNamedAndLeaveNoFailedRun) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  const std::string store = (tmp() / "inputs_store.sqlite").string();
  auto one = write_csv("one_train_pert.csv", k562_rows(data->dir, 1, 2));
  auto r = knn("--cell-line x --csv " + one + " --bootstrap 0 --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "1 perturber") && contains(r.err, "--val-fraction")) << r.err;
  EXPECT_FALSE(contains(r.err, "group ids")) << r.err;

  Rows rows = k562_rows(data->dir, 6, 2);
  rows.test.push_back({"AARS", "GEN\xC9", "1", "test"});  // Latin-1, not UTF-8
  auto bad = write_csv("latin1.csv", rows);
  const long bad_line = 1 + static_cast<long>(rows.train.size() + rows.test.size());
  r = knn("--cell-line x --csv " + bad + " --bootstrap 0 --store " + store);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "latin1.csv:" + std::to_string(bad_line) + ": gene name")) << r.err;
  EXPECT_TRUE(contains(r.err, "not valid UTF-8")) << r.err;
  ps::store::Store s(store);
  for (const auto& run : s.list_runs()) ADD_FAILURE() << "a run was left behind: " << run.name;
}

TEST(KnnStore, UndefinedMetricsAreNullInTheStoreAndInRunsShow) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  const std::string store = (tmp() / "null_store.sqlite").string();
  auto csv = write_csv("zeros.csv", k562_rows(data->dir, 30, 4), /*zero_test_labels=*/true);
  auto r = knn("--cell-line x --csv " + csv + " --bootstrap 0 --json --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["auroc_per_gene"].is_null()) << r.out;
  ASSERT_EQ(j["run_ids"].size(), 1u);
  const int64_t id = j["run_ids"][0];
  {
    ps::store::Store s(store);
    auto m = s.metrics(id, "auroc_per_gene");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(std::isnan(m[0].value)) << "stored " << m[0].value << " for an undefined AUROC";
  }
  auto show = test_cli::cli("runs show " + std::to_string(id) + " --store " + store);
  ASSERT_EQ(show.code, 0) << show.all();
  auto row_of = [&](const std::string& name) {
    size_t at = show.out.find("    " + name + " ");
    return at == std::string::npos ? std::string() : show.out.substr(at, show.out.find('\n', at) - at);
  };
  EXPECT_TRUE(contains(row_of("auroc_per_gene"), "= null")) << show.out;

  // No DE item: recall is undefined (0/0), and so are precision and F1 when nothing is predicted
  // DE either; with items predicted DE, precision and F1 are 0 (sklearn's definitions).
  int64_t predicted_de = 0;
  {
    ps::store::Store s(store);
    for (const auto& p : s.predictions(id)) predicted_de += p.prediction == 1;
  }
  const bool none_predicted = predicted_de == 0;
  EXPECT_TRUE(j["recall"].is_null()) << r.out;
  EXPECT_TRUE(j["f1_optimal"].is_null()) << r.out;
  for (const char* k : {"precision", "f1"}) {
    if (none_predicted) EXPECT_TRUE(j[k].is_null()) << k << ": " << r.out;
    else EXPECT_EQ(j[k], 0.0) << k << ": " << r.out;
  }
  {
    ps::store::Store s(store);
    for (const std::string name : {"f1", "precision", "recall"}) {
      auto m = s.metrics(id, name);
      ASSERT_EQ(m.size(), 1u) << name;
      const bool undefined = name == "recall" || none_predicted;
      EXPECT_EQ(std::isnan(m[0].value), undefined) << name << " stored as " << m[0].value;
      EXPECT_TRUE(contains(row_of(name), undefined ? "= null" : "= 0")) << show.out;
    }
  }
  // The human-readable output says n/a, never 0 or nan, for the undefined ones.
  auto human = knn("--cell-line x --csv " + csv + " --bootstrap 0 --no-store");
  ASSERT_EQ(human.code, 0) << human.all();
  EXPECT_TRUE(contains(human.out, "recall n/a")) << human.out;
  EXPECT_TRUE(contains(human.out, "F1 optimal       n/a")) << human.out;
  EXPECT_FALSE(contains(human.out, "nan")) << human.out;
}

// Forcing nothing to be predicted DE (threshold 1 over calibrated probabilities below 1): precision
// and F1 are undefined too, in the JSON and in the store.
TEST(KnnStore, NoPredictedAndNoActualPositivesLeavePrecisionAndF1Null) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  const std::string store = (tmp() / "null_store_t1.sqlite").string();
  auto csv = write_csv("zeros_t1.csv", k562_rows(data->dir, 30, 4), /*zero_test_labels=*/true);
  auto r = knn("--cell-line x --csv " + csv + " --bootstrap 50 --threshold 1 --json --store " + store);
  ASSERT_EQ(r.code, 0) << r.all();
  const int64_t id = nlohmann::json::parse(r.out)["run_ids"][0];
  ps::store::Store s(store);
  bool any_predicted = false;
  for (const auto& p : s.predictions(id)) any_predicted = any_predicted || p.prediction == 1;
  if (any_predicted) GTEST_SKIP() << "a calibrated probability of 1 in this sample";
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"precision", "recall", "f1"}) EXPECT_TRUE(j[k].is_null()) << k << ": " << r.out;
  EXPECT_TRUE(j["f1_ci"][0].is_null() && j["f1_ci"][1].is_null()) << r.out;
  for (const std::string name : {"f1", "precision", "recall"}) {
    auto m = s.metrics(id, name);
    ASSERT_EQ(m.size(), 1u) << name;
    EXPECT_TRUE(std::isnan(m[0].value)) << name << " stored as " << m[0].value;
  }
}

TEST(KnnProgress, EnvironmentChoosesTheStyle) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  auto csv = write_csv("progress.csv", k562_rows(data->dir, 20, 2));
  auto none = knn("--cell-line x --csv " + csv + " --bootstrap 0 --no-store", "PERTURBSCOPE_PROGRESS=none");
  ASSERT_EQ(none.code, 0) << none.all();
  EXPECT_EQ(none.err, "");
  auto lines = knn("--cell-line x --csv " + csv + " --bootstrap 0 --no-store", "PERTURBSCOPE_PROGRESS=lines");
  ASSERT_EQ(lines.code, 0) << lines.all();
  EXPECT_TRUE(contains(lines.err, "knn x:")) << lines.err;
  EXPECT_TRUE(contains(lines.err, "done")) << lines.err;
  EXPECT_FALSE(contains(lines.err, "\r")) << "lines, not a redrawn bar";
}

// Ctrl-C (or SIGTERM: kill, a service manager) after the first of four cell lines: exit 130,
// K562's run kept (finished, with metrics), a cancelled run recorded for the cell line that was
// running (its run existed, running, from the moment it started), nothing for the later ones.
class KnnCancel : public ::testing::TestWithParam<int> {};

TEST_P(KnnCancel, InterruptKeepsFinishedCellLinesAndRecordsTheCancel) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const int sig = GetParam();
  const std::string store = (tmp() / ("cancel_store_" + std::to_string(sig) + ".sqlite")).string();
  fs::remove(store);
  { ps::store::Store init(store); }
  const std::string out = (tmp() / ("cancel" + std::to_string(sig) + ".out")).string(),
                    err = (tmp() / ("cancel" + std::to_string(sig) + ".err")).string();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("PERTURBSCOPE_PROGRESS", "lines", 1);
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) ::_exit(99);
    const std::string cd = cache_dir();
    ::execl(PERTURBSCOPE_CLI_PATH, PERTURBSCOPE_CLI_PATH, "knn", "--cell-line", "all", "--bootstrap", "0", "--no-signed",
            "--store", store.c_str(), "--cache-dir", cd.c_str(), static_cast<char*>(nullptr));
    ::_exit(98);
  }
  // K562's run shows up running (owned by the child, with progress) while it is evaluated; wait
  // until it is finished, then interrupt.
  bool first_done = false, seen_running = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!first_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) FAIL() << "knn ended before the interrupt: " << test_cli::slurp(err);
    ps::store::Store s(store);
    for (const auto& r : s.list_runs()) {
      if (r.status == ps::store::RunStatus::Running && r.pid == pid && r.name.rfind("knn k562", 0) == 0)
        seen_running = true;
      first_done = first_done || r.status == ps::store::RunStatus::Finished;
    }
  }
  ASSERT_TRUE(first_done) << test_cli::slurp(err);
  EXPECT_TRUE(seen_running) << "no running row for k562 while it was evaluated";
  ::kill(pid, sig);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130) << test_cli::slurp(err);
  const std::string e = test_cli::slurp(err);
  EXPECT_TRUE(contains(e, "cancelled")) << e;

  ps::store::Store s(store);
  auto runs = s.list_runs();  // newest first
  ASSERT_EQ(runs.size(), 2u) << e;
  EXPECT_EQ(runs[1].name.rfind("knn k562", 0), 0u) << runs[1].name;
  EXPECT_EQ(runs[1].status, ps::store::RunStatus::Finished);
  EXPECT_FALSE(s.metrics(runs[1].id, "auroc_per_gene").empty());
  EXPECT_EQ(runs[0].name.rfind("knn rpe1", 0), 0u) << runs[0].name;
  EXPECT_EQ(runs[0].status, ps::store::RunStatus::Cancelled);
  EXPECT_TRUE(contains(runs[0].summary_json, "cancelled")) << runs[0].summary_json;
  EXPECT_TRUE(contains(runs[0].status_reason, "during rpe1")) << runs[0].status_reason;
  EXPECT_TRUE(contains(e, "run " + std::to_string(runs[0].id))) << e;
}

INSTANTIATE_TEST_SUITE_P(CtrlCAndSigterm, KnnCancel, ::testing::Values(SIGINT, SIGTERM));
