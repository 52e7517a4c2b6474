#include <gtest/gtest.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/sha256.h"
#include "store/store.h"

namespace fs = std::filesystem;
using ps::store::MetricPoint;
using ps::store::Prediction;
using ps::store::RunStatus;
using ps::store::Store;

namespace {

// A fresh folder per test, removed at the end.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ps_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name = "store.sqlite") const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "";
}

void sql(const std::string& db_path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

}  // namespace

TEST_F(StoreTest, RunsRoundTripNewestFirst) {
  Store s(path());
  int64_t a = s.create_run("knn", "knn k562 k=20", R"({"k":20})");
  int64_t b = s.create_run("sft", "sft qwen", "{}");
  auto runs = s.list_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, b);
  EXPECT_EQ(runs[1].id, a);
  auto r = s.get_run(a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "knn");
  EXPECT_EQ(r->name, "knn k562 k=20");
  EXPECT_EQ(r->config_json, R"({"k":20})");
  EXPECT_EQ(r->status, RunStatus::Running);
  EXPECT_EQ(r->pid, ::getpid());
  EXPECT_EQ(r->finished_at, "");
  EXPECT_EQ(r->created_at.size(), 24u) << r->created_at;  // 2026-11-22T20:30:31.123Z
  EXPECT_EQ(r->created_at.back(), 'Z');
  EXPECT_FALSE(r->git_describe.empty());

  s.set_summary(a, R"({"auroc_per_gene":0.68})");
  s.set_status(a, RunStatus::Finished);
  r = s.get_run(a);
  EXPECT_EQ(r->status, RunStatus::Finished);
  EXPECT_FALSE(r->finished_at.empty());
  EXPECT_EQ(r->summary_json, R"({"auroc_per_gene":0.68})");

  EXPECT_FALSE(s.get_run(9999));
  EXPECT_NE(error_of([&] { s.set_status(9999, RunStatus::Failed); }).find("9999"), std::string::npos);

  // A second connection (the GUI) sees the same data.
  Store other(path());
  EXPECT_EQ(other.list_runs().size(), 2u);
  EXPECT_EQ(other.get_run(a)->status, RunStatus::Finished);
}

TEST_F(StoreTest, StatusNamesRoundTripAndUnknownIsAnError) {
  for (auto st : {RunStatus::Running, RunStatus::Finished, RunStatus::Failed, RunStatus::Cancelled,
                  RunStatus::Interrupted})
    EXPECT_EQ(ps::store::run_status_from_string(ps::store::to_string(st)), st);
  EXPECT_THROW(ps::store::run_status_from_string("paused"), ps::Error);
}

TEST_F(StoreTest, MetricsRoundTripBySeriesInStepOrder) {
  Store s(path());
  int64_t r = s.create_run("sft", "", "{}");
  s.log_metrics(r, {{2, "loss", 0.5}, {0, "loss", 1.5}, {1, "loss", 1.0}, {0, "lr", 1e-4}});
  s.log_metric(r, 3, "loss", std::nan(""));  // a diverged step must not be lost
  s.log_metric(r, 1, "loss", 0.9);           // re-logging a step (after resume) replaces it
  auto loss = s.metrics(r, "loss");
  ASSERT_EQ(loss.size(), 4u);
  EXPECT_EQ(loss[0].step, 0);
  EXPECT_DOUBLE_EQ(loss[0].value, 1.5);
  EXPECT_DOUBLE_EQ(loss[1].value, 0.9);
  EXPECT_DOUBLE_EQ(loss[2].value, 0.5);
  EXPECT_TRUE(std::isnan(loss[3].value));
  EXPECT_EQ(s.metrics(r).size(), 5u);
  EXPECT_EQ(s.metric_count(r), 5);
  EXPECT_EQ(s.metric_names(r), (std::vector<std::string>{"loss", "lr"}));
  EXPECT_NE(error_of([&] { s.log_metric(777, 0, "loss", 1); }).find("777"), std::string::npos);
}

TEST_F(StoreTest, MetricsAfterReadsOnlyLaterStepsOfOneSeries) {
  Store s(path());
  int64_t r = s.create_run("sft", "", "{}");
  int64_t other = s.create_run("sft", "", "{}");
  s.log_metrics(r, {{1, "loss", 1.0}, {2, "loss", 0.8}, {3, "loss", std::nan("")}, {2, "lr", 5.0}});
  s.log_metrics(other, {{4, "loss", 9.0}});
  auto after = s.metrics_after(r, "loss", 1);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].step, 2);
  EXPECT_EQ(after[0].name, "loss");
  EXPECT_DOUBLE_EQ(after[0].value, 0.8);
  EXPECT_TRUE(std::isnan(after[1].value));
  EXPECT_EQ(s.metrics_after(r, "loss", -1).size(), 3u);
  EXPECT_TRUE(s.metrics_after(r, "loss", 3).empty());
  EXPECT_TRUE(s.metrics_after(r, "no such", -1).empty());
}

TEST_F(StoreTest, PredictionsRoundTripAllFields) {
  Store s(path());
  int64_t r = s.create_run("eval", "", "{}");
  std::vector<Prediction> in;
  for (int i = 0; i < 100; ++i) {
    Prediction p;
    p.item_key = "k562|P" + std::to_string(i) + "|G";
    p.cell_line = "k562";
    p.perturber = "P" + std::to_string(i);
    p.target = "G";
    p.label = i % 3 == 0 ? -1 : i % 2;
    p.prediction = i % 2;
    p.confidence = i / 100.0;
    p.tokens = 1000 + i;
    p.trace = "because \"quoted\", commas\nand newlines " + std::to_string(i);
    p.ttc_round = i % 4;
    in.push_back(p);
  }
  s.add_predictions(r, in);
  auto out = s.predictions(r);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].item_key, in[i].item_key);
    EXPECT_EQ(out[i].cell_line, in[i].cell_line);
    EXPECT_EQ(out[i].perturber, in[i].perturber);
    EXPECT_EQ(out[i].target, in[i].target);
    EXPECT_EQ(out[i].label, in[i].label);
    EXPECT_DOUBLE_EQ(out[i].prediction, in[i].prediction);
    EXPECT_DOUBLE_EQ(out[i].confidence, in[i].confidence);
    EXPECT_EQ(out[i].tokens, in[i].tokens);
    EXPECT_EQ(out[i].trace, in[i].trace);
    EXPECT_EQ(out[i].ttc_round, in[i].ttc_round);
  }
  // Deleting a run removes its rows (foreign keys cascade).
  s.delete_run(r);
  EXPECT_TRUE(s.predictions(r).empty());
  EXPECT_FALSE(s.get_run(r));
  EXPECT_THROW(s.add_predictions(r, in), ps::Error);
}

TEST_F(StoreTest, ArtefactsRecordChecksumAndSize) {
  Store s(path());
  int64_t r = s.create_run("sft", "", "{}");
  std::string file = (dir_ / "ckpt.bin").string();
  std::ofstream(file) << "weights";
  int64_t id = s.add_artefact(r, "checkpoint", file);
  auto a = s.artefacts(r);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].id, id);
  EXPECT_EQ(a[0].kind, "checkpoint");
  EXPECT_EQ(a[0].path, file);
  EXPECT_EQ(a[0].bytes, 7);
  EXPECT_EQ(a[0].sha256, ps::sha256_hex("weights"));
  std::string missing = (dir_ / "nope.bin").string();
  EXPECT_NE(error_of([&] { s.add_artefact(r, "figure", missing); }).find(missing), std::string::npos);
}

TEST_F(StoreTest, ChangeCounterMovesOnOwnAndOtherWrites) {
  Store viewer(path());
  Store writer(path());
  int64_t c0 = viewer.change_counter();
  int64_t r = writer.create_run("knn", "", "{}");
  int64_t c1 = viewer.change_counter();
  EXPECT_GT(c1, c0);
  viewer.set_status(r, RunStatus::Finished);
  EXPECT_GT(viewer.change_counter(), c1);
}

TEST_F(StoreTest, MissingParentFolderIsCreated) {
  std::string p = (dir_ / "deep" / "er" / "store.sqlite").string();
  Store s(p);
  EXPECT_TRUE(fs::exists(p));
  EXPECT_EQ(s.path(), p);
}

TEST_F(StoreTest, FileThatIsNotSqliteIsRejectedNamingThePath) {
  std::string p = path("notes.sqlite");
  std::ofstream(p) << "this is a text file, not a database\n" << std::string(200, 'x');
  std::string e = error_of([&] { Store s(p); });
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("not a SQLite database"), std::string::npos) << e;
  // The foreign file is left untouched.
  std::ifstream in(p);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "this is a text file, not a database");
}

TEST_F(StoreTest, ForeignSqliteDatabaseIsRejected) {
  std::string p = path("other.sqlite");
  sql(p, "CREATE TABLE people(name TEXT)");
  std::string e = error_of([&] { Store s(p); });
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("not an experiment store"), std::string::npos) << e;
}

TEST_F(StoreTest, NewerSchemaIsRejectedNamingBothVersions) {
  std::string p = path();
  { Store s(p); }
  sql(p, "UPDATE schema_version SET version=" + std::to_string(Store::schema_version() + 5));
  std::string e = error_of([&] { Store s(p); });
  EXPECT_NE(e.find(p), std::string::npos) << e;
  EXPECT_NE(e.find("newer"), std::string::npos) << e;
  EXPECT_NE(e.find(std::to_string(Store::schema_version() + 5)), std::string::npos) << e;
}

TEST_F(StoreTest, StoreIsInWalModeWithForeignKeys) {
  std::string p = path();
  Store s(p);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), Store::schema_version());
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// Read-only locations. root ignores permission bits, so as root the checks run in a
// child process that drops to an unprivileged user first.
static void expect_read_only_error_as_user(const std::string& store_path, const std::string& needle) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    std::string e = error_of([&] { Store s(store_path); });
    if (e.empty()) _exit(4);
    if (e.find(store_path) == std::string::npos || e.find(needle) == std::string::npos) _exit(5);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: cannot drop privileges, 4: no error, 5: message lacks path or '"
                                    << needle << "'";
}

TEST_F(StoreTest, ReadOnlyFolderIsAnError) {
  fs::path ro = dir_ / "ro";
  fs::create_directories(ro);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                          fs::perms::others_exec);
  expect_read_only_error_as_user((ro / "store.sqlite").string(), "read-only");
  fs::permissions(ro, fs::perms::owner_all);
}

TEST_F(StoreTest, ReadOnlyFileIsAnError) {
  std::string p = path();
  { Store s(p); }
  fs::permissions(dir_, fs::perms::all);  // the folder is writable, only the file is not
  fs::permissions(p, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  expect_read_only_error_as_user(p, "read-only");
}

// A run whose process was SIGKILLed mid-write: the store stays readable and
// consistent (every batch is all-or-nothing) and the run is marked interrupted.
TEST_F(StoreTest, KillDuringWriteLeavesConsistentStoreAndInterruptedRun) {
  const std::string p = path();
  { Store init(p); }
  constexpr int kBatch = 97;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    try {
      Store s(p);
      int64_t run = s.create_run("sft", "killed", "{}");
      if (write(fds[1], &run, sizeof run) != sizeof run) _exit(2);
      std::vector<MetricPoint> batch(kBatch);
      for (int64_t step = 0;; ++step) {
        for (int i = 0; i < kBatch; ++i) batch[i] = {step, "m" + std::to_string(i), double(step)};
        s.log_metrics(run, batch);
      }
    } catch (...) {
      _exit(1);
    }
  }
  close(fds[1]);
  int64_t run = 0;
  ASSERT_EQ(read(fds[0], &run, sizeof run), ssize_t(sizeof run));
  close(fds[0]);
  // Let it write for a while, then kill it in the middle of whatever it is doing.
  {
    Store watcher(p);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (watcher.metric_count(run) < 20 * kBatch && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(watcher.get_run(run)->status, RunStatus::Running) << "the writer is alive";
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped on its own";

  Store s(p);
  auto r = s.get_run(run);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::Interrupted);
  EXPECT_FALSE(r->finished_at.empty());
  int64_t n = s.metric_count(run);
  EXPECT_GE(n, 20 * kBatch);
  EXPECT_EQ(n % kBatch, 0) << "a half-written batch is visible";
  EXPECT_EQ(s.metric_names(run).size(), size_t(kBatch));
  // SQLite's own consistency check.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
  sqlite3_close(db);
  // The store is still writable after the crash.
  int64_t next = s.create_run("sft", "after", "{}");
  s.log_metric(next, 0, "loss", 1);
  EXPECT_EQ(s.metric_count(next), 1);
}

TEST_F(StoreTest, RunningRunOfALiveProcessIsNotInterrupted) {
  std::string p = path();
  Store a(p);
  int64_t r = a.create_run("knn", "", "{}");
  Store b(p);  // same process, still alive
  EXPECT_EQ(b.get_run(r)->status, RunStatus::Running);
  EXPECT_EQ(b.mark_interrupted_runs(), 0);
}

// A million metric points: bulk logging and per-series reads stay fast (indexes).
// The bounds are loose sanity limits, not benchmarks.
TEST_F(StoreTest, MillionMetricRowsStayQueryable) {
  Store s(path());
  int64_t r = s.create_run("sft", "big", "{}");
  std::vector<MetricPoint> batch;
  batch.reserve(10000);
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < 100000; ++step) {
    for (int k = 0; k < 10; ++k) batch.push_back({step, "metric_" + std::to_string(k), double(step * k)});
    if (batch.size() == 10000) {
      s.log_metrics(r, batch);
      batch.clear();
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(s.metric_count(r), 1000000);
  auto t2 = std::chrono::steady_clock::now();
  auto series = s.metrics(r, "metric_7");
  auto names = s.metric_names(r);
  auto t3 = std::chrono::steady_clock::now();
  ASSERT_EQ(series.size(), 100000u);
  EXPECT_EQ(series[12345].step, 12345);
  EXPECT_DOUBLE_EQ(series[12345].value, 12345.0 * 7);
  EXPECT_EQ(names.size(), 10u);
  // One point per call, as a training loop logs: one transaction each.
  auto t4 = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; ++i) s.log_metric(r, 100000 + i, "metric_0", i);
  auto t5 = std::chrono::steady_clock::now();
  double write_s = std::chrono::duration<double>(t1 - t0).count();
  double read_s = std::chrono::duration<double>(t3 - t2).count();
  double single_us = std::chrono::duration<double, std::micro>(t5 - t4).count() / 2000;
  std::printf("[ metrics  ] 1e6 rows written in %.2f s, one 1e5-point series + names read in %.3f s, "
              "single-point log_metric %.0f us\n", write_s, read_s, single_us);
  EXPECT_LT(read_s, 2.0);
}

TEST_F(StoreTest, EmptyVersionZeroStoreIsMigrated) {
  std::string p = path();
  sql(p, "CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(0);");
  Store s(p);
  int64_t r = s.create_run("knn", "", "{}");
  s.log_metric(r, 0, "auroc", 0.5);
  EXPECT_EQ(s.metric_count(r), 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), Store::schema_version());
  sqlite3_finalize(st);
  // The flat view for ad hoc SQL.
  sqlite3_prepare_v2(db, "SELECT run_id, step, name, value FROM metrics_view", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(st, 0), r);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 2)), "auroc");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(StoreTest, ReusedPidIsNotMistakenForTheRunsProcess) {
  std::string p = path();
  int64_t r;
  {
    Store s(p);
    r = s.create_run("sft", "", "{}");
  }
  // Same pid (ours, alive) but another start time: the pid was reused after the run's process died.
  sql(p, "UPDATE runs SET pid_start = pid_start + 12345 WHERE id = " + std::to_string(r));
  Store s(p);
  EXPECT_EQ(s.get_run(r)->status, RunStatus::Interrupted);
}

TEST_F(StoreTest, RunOfAnotherHostIsLeftAlone) {
  std::string p = path();
  int64_t r;
  {
    Store s(p);
    r = s.create_run("sft", "", "{}");
  }
  sql(p, "UPDATE runs SET host = 'some-other-machine', pid = 999999999 WHERE id = " + std::to_string(r));
  Store s(p);
  EXPECT_EQ(s.get_run(r)->status, RunStatus::Running);
}

// Two processes writing at once (a CLI job and a GUI job): the busy timeout and
// immediate transactions serialise them; nothing is lost.
TEST_F(StoreTest, ConcurrentWritersFromTwoProcessesLoseNothing) {
  const std::string p = path();
  { Store init(p); }
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    pid_t c = fork();
    ASSERT_GE(c, 0);
    if (c == 0) {
      try {
        Store s(p);
        int64_t run = s.create_run("sft", "writer " + std::to_string(k), "{}");
        for (int step = 0; step < 300; ++step) {
          s.log_metrics(run, {{step, "loss", 1.0 / (step + 1)}, {step, "lr", 1e-4}});
          s.log_metric(run, step, "tokens", step * 10.0);
        }
        s.set_status(run, RunStatus::Finished);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", k, e.what());
        _exit(1);
      }
      _exit(0);
    }
    kids.push_back(c);
  }
  for (pid_t c : kids) {
    int status = 0;
    waitpid(c, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  Store s(p);
  auto runs = s.list_runs();
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.status, RunStatus::Finished);
    EXPECT_EQ(s.metric_count(r.id), 900);
  }
}

// Issue 15, fault 5: an undefined metric (NaN) is SQL NULL in the file, for any reader of the
// store (the metrics_view for ad hoc SQL, other tools), and comes back as NaN, never as 0.
TEST_F(StoreTest, UndefinedNumbersAreSqlNullNeverZero) {
  std::string p = path();
  Store s(p);
  int64_t r = s.create_run("knn", "all-negative labels", "{}");
  s.log_metrics(r, {{0, "auroc_per_gene", std::nan("")}, {0, "brier", 0.25}});
  Prediction pr;
  pr.item_key = "x|A|B";
  pr.prediction = std::nan("");
  pr.confidence = std::nan("");
  s.add_predictions(r, {pr});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  auto column_type = [&](const char* q) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, q, -1, &st, nullptr), SQLITE_OK) << q;
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW) << q;
    int t = sqlite3_column_type(st, 0);
    sqlite3_finalize(st);
    return t;
  };
  EXPECT_EQ(column_type("SELECT value FROM metrics_view WHERE name='auroc_per_gene'"), SQLITE_NULL);
  EXPECT_EQ(column_type("SELECT value FROM metrics_view WHERE name='brier'"), SQLITE_FLOAT);
  EXPECT_EQ(column_type("SELECT confidence FROM predictions"), SQLITE_NULL);
  EXPECT_EQ(column_type("SELECT prediction FROM predictions"), SQLITE_NULL);
  EXPECT_EQ(column_type("SELECT COUNT(*) FROM metrics_view WHERE value = 0"), SQLITE_INTEGER);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM metrics_view WHERE value = 0", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto m = s.metrics(r, "auroc_per_gene");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(std::isnan(m[0].value));
  EXPECT_TRUE(std::isnan(s.predictions(r)[0].confidence));
}

// Schema 3: the user's name, notes and tags of a run, why it failed or was cancelled, a running
// job's progress; read back by get_run and list_runs; cleared (reason, progress) by reopen_run.
TEST_F(StoreTest, NotesTagsReasonAndProgress) {
  Store s(path());
  const int64_t r = s.create_run("sft", "first name", "{}");
  auto run = *s.get_run(r);
  EXPECT_EQ(run.notes, "");
  EXPECT_TRUE(run.tags.empty());
  EXPECT_EQ(run.status_reason, "");
  EXPECT_TRUE(std::isnan(run.progress));
  s.rename_run(r, "better name");
  s.set_notes(r, "lr too high?\nsecond line");
  s.set_tags(r, {" baseline ", "k562", "", "baseline", "lr=2e-4"});
  s.set_progress(r, 0.25, "step 25/100");
  run = s.list_runs().at(0);
  EXPECT_EQ(run.name, "better name");
  EXPECT_EQ(run.notes, "lr too high?\nsecond line");
  EXPECT_EQ(run.tags, (std::vector<std::string>{"baseline", "k562", "lr=2e-4"}));
  EXPECT_DOUBLE_EQ(run.progress, 0.25);
  EXPECT_EQ(run.progress_message, "step 25/100");
  s.set_progress(r, NAN, "loading");
  EXPECT_TRUE(std::isnan(s.get_run(r)->progress));
  EXPECT_THROW(s.set_progress(r, 1.5, ""), ps::Error);
  EXPECT_THROW(s.rename_run(r + 100, "x"), ps::Error);
  EXPECT_THROW(s.set_notes(r + 100, "x"), ps::Error);
  EXPECT_THROW(s.set_tags(r + 100, {"x"}), ps::Error);
  s.set_status(r, RunStatus::Failed, "data: no such file");
  EXPECT_EQ(s.get_run(r)->status_reason, "data: no such file");
  s.reopen_run(r);
  run = *s.get_run(r);
  EXPECT_EQ(run.status_reason, "");
  EXPECT_TRUE(std::isnan(run.progress));
  EXPECT_EQ(run.notes, "lr too high?\nsecond line");  // the user's edits survive a resume
  s.set_status(r, RunStatus::Finished);
  EXPECT_EQ(s.get_run(r)->status_reason, "");
}

// A version-2 store (before notes, tags, reasons and progress) is migrated; its runs read with
// the defaults.
TEST_F(StoreTest, Version2StoreIsMigrated) {
  const std::string p = path();
  int64_t r = 0;
  {
    Store s(p);
    r = s.create_run("knn", "old", "{}");
    s.set_status(r, RunStatus::Finished);
  }
  sql(p, "ALTER TABLE runs DROP COLUMN notes; ALTER TABLE runs DROP COLUMN tags_json; "
         "ALTER TABLE runs DROP COLUMN status_reason; ALTER TABLE runs DROP COLUMN progress; "
         "ALTER TABLE runs DROP COLUMN progress_message; UPDATE schema_version SET version=2;");
  Store s(p);
  const auto run = *s.get_run(r);
  EXPECT_EQ(run.name, "old");
  EXPECT_EQ(run.notes, "");
  EXPECT_TRUE(run.tags.empty());
  EXPECT_TRUE(std::isnan(run.progress));
  s.set_tags(r, {"migrated"});
  EXPECT_EQ(s.get_run(r)->tags, std::vector<std::string>{"migrated"});
}

// Issue 15: a run whose stored JSON nests 100,000 levels deep (a store edited outside PerturbScope)
// crashed every reader (nlohmann_json's dump recursed per level); a device is not a store file.
TEST_F(StoreTest, HostileStoredJsonAndDevicePathsAreErrorsNotCrashes) {
  int64_t id = 0;
  {
    ps::store::Store st(path());
    id = st.create_run("knn", "deep", "{}");
  }
  sql(path(), "UPDATE runs SET config_json = '" + std::string(100000, '[') + std::string(100000, ']') +
                  "' WHERE id = " + std::to_string(id));
  ps::store::Store st(path());
  const std::string e = error_of([&] { st.list_runs(); });
  EXPECT_NE(e.find("run " + std::to_string(id)), std::string::npos) << e;
  EXPECT_NE(e.find("config_json"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { st.get_run(id); }).find("nests deeper"), std::string::npos);
  // 256 levels (the limit) still read
  sql(path(), "UPDATE runs SET config_json = '" + std::string(256, '[') + std::string(256, ']') +
                  "' WHERE id = " + std::to_string(id));
  EXPECT_TRUE(st.get_run(id).has_value());

  const std::string dev = error_of([] { ps::store::Store s("/dev/null"); });
  EXPECT_NE(dev.find("not a regular file"), std::string::npos) << dev;
  EXPECT_FALSE(fs::exists("/dev/null-journal"));
}
