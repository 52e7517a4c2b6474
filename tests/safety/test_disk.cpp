// Issue 15, crash safety: a full disk and a read-only store. Each case runs perturbscope-cli sft in
// a child process beside a finished run of the same store and expects: exit 1, a clear error that
// names the path (no stack trace, no "internal error"), the run marked failed where the store can
// still be written, and nothing else touched (the other run, the earlier checkpoint, the files).
//
// Mechanisms, all of which bind root (CI runs the tests as root, so chmod alone proves nothing):
//   - a full disk: RLIMIT_FSIZE on the child with SIGXFSZ ignored (writes past the limit fail with
//     EFBIG, as they fail with ENOSPC on a full disk);
//   - a read-only store or runs folder: a private mount namespace of the child in which the folder
//     is bind-mounted read-only (EROFS);
//   - a store file without write permission: chmod a-w with CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
//     and CAP_FOWNER dropped from the child's bounding set.
// Where the machine refuses a mechanism (no CAP_SYS_ADMIN for mount namespaces, no CAP_SETPCAP),
// that case is skipped with the reason, never passed.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "common/sha256.h"
#include "safety/child.h"
#include "safety/store_snapshot.h"
#include "safety/tiny_jobs.h"
#include "scratch.h"
#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// path (relative to root) -> sha256 of every file under root.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && !e.is_symlink()) out[fs::relative(e.path(), root).string()] = ps::sha256_file(e.path().string());
  return out;
}

bool mentions_internal_error(const std::string& s) {
  return s.find("internal error") != std::string::npos || s.find("terminate called") != std::string::npos ||
         s.find("c10::") != std::string::npos || s.find("Exception raised from") != std::string::npos;
}

class StoreDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
    dir_ = ps::test::scratch_dir("disk") / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "store");
    store_ = (dir_ / "store" / "store.sqlite").string();
    mirror_ = ps::test::reduced_mirror(dir_).string();
    config_ = (dir_ / "sft.json").string();
    std::ofstream(config_) << ps::test::tiny_sft_config(mirror_).dump(1);
    // The other run, finished before the trouble starts.
    auto r = sft({"--config", config_});
    ASSERT_TRUE(r.exited(0)) << r.describe();
    other_ = json::parse(r.out).at("run_id").get<int64_t>();
    other_snap_ = ps::test::SqliteReader(store_).snapshot(other_);
    other_files_ = tree(dir_ / "store" / "runs" / std::to_string(other_));
  }
  void TearDown() override {
    ::chmod(store_.c_str(), 0644);
    if (!HasFailure()) fs::remove_all(dir_);
  }

  ps::test::ChildResult sft(std::vector<std::string> args, ps::test::ChildOptions opt = {}) {
    args.insert(args.begin(), "sft");
    args.insert(args.end(), {"--store", store_, "--json"});
    opt.timeout_s = 240;
    return ps::test::run_cli_child(args, opt);
  }

  // The newest run of kind sft other than the first.
  int64_t newest_sft() {
    auto r = ps::test::SqliteReader(store_).rows("SELECT max(id) FROM runs WHERE kind='sft'");
    return r.empty() || r[0][0] == "\x01NULL" ? 0 : std::stoll(r[0][0]);
  }

  // A failure as users should see it: exit 1, one clear message naming `path_part`.
  void expect_clear_failure(const ps::test::ChildResult& r, const std::string& path_part, const std::string& reason) {
    EXPECT_TRUE(r.exited(1)) << r.describe();
    std::printf("what the user sees: %s", r.err.c_str());
    EXPECT_NE(r.err.find(path_part), std::string::npos) << "the error does not name " << path_part << "\n" << r.describe();
    // `reason` may list alternatives separated by '|' (SQLite does not always keep the OS's errno).
    bool said = false;
    for (size_t a = 0, b; a <= reason.size(); a = b + 1) {
      b = reason.find('|', a);
      if (b == std::string::npos) b = reason.size();
      said = said || r.err.find(reason.substr(a, b - a)) != std::string::npos;
    }
    EXPECT_TRUE(said) << "the error does not say '" << reason << "'\n" << r.describe();
    EXPECT_FALSE(mentions_internal_error(r.err + r.out)) << r.describe();
  }

  // The store is sound and the other run is as it was.
  void expect_others_untouched() {
    try {
      ps::store::Store st(store_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the store does not open: " << e.what();
    }
    ps::test::SqliteReader db(store_);
    EXPECT_EQ(db.integrity(), "ok");
    const auto now = db.snapshot(other_);
    EXPECT_EQ(now.status, "finished");
    EXPECT_EQ(now.metrics, other_snap_.metrics);
    EXPECT_EQ(now.predictions, other_snap_.predictions);
    EXPECT_EQ(now.summary, other_snap_.summary);
    EXPECT_EQ(tree(dir_ / "store" / "runs" / std::to_string(other_)), other_files_);
  }

  fs::path dir_;
  std::string store_, mirror_, config_;
  int64_t other_ = 0;
  ps::test::RunSnapshot other_snap_;
  std::map<std::string, std::string> other_files_;
};

// Skips (with the reason) when the child could not set up the mechanism.
#define SKIP_IF_SETUP_FAILED(r)                                                                       \
  if ((r).exited(ps::test::kSetupFailedExit) && (r).err.find(ps::test::kSetupFailed) != std::string::npos) \
  GTEST_SKIP() << "mechanism unavailable on this machine: " << (r).err

// The disk fills while a checkpoint is written: the checkpoint before it stays as it was, the run
// is marked failed, and it resumes to the end once there is room again.
TEST_F(StoreDisk, FullDiskDuringACheckpointKeepsThePreviousOneAndFailsTheRun) {
  // A model whose weights (about 3 MB) cannot be written under a 1 MB limit; its store writes can.
  json c = ps::test::tiny_sft_config(mirror_);
  c["name"] = "big";
  c["model"] = {{"hidden_size", 128}, {"intermediate_size", 384}, {"num_layers", 4}, {"num_heads", 4}, {"num_kv_heads", 2},
                {"head_dim", 32}, {"max_position_embeddings", 512}};
  c["train"]["max_steps"] = 3;
  c["train"]["checkpoint_every"] = 1;
  const std::string cfg = (dir_ / "big.json").string();
  std::ofstream(cfg) << c.dump(1);
  // First attempt: killed in step 2, after the checkpoint of step 1.
  ps::test::ChildOptions kill;
  kill.env["PERTURBSCOPE_CRASH_AT"] = "train.step:2";
  auto r0 = sft({"--config", cfg}, kill);
  ASSERT_EQ(r0.signal, SIGKILL) << r0.describe();
  const int64_t run = newest_sft();
  ASSERT_NE(run, other_);
  const fs::path ck = dir_ / "store" / "runs" / std::to_string(run) / "checkpoint";
  ASSERT_TRUE(fs::exists(ck / "state.json"));
  const auto ck_before = tree(ck);

  ps::test::ChildOptions full;
  full.file_size_limit = 1 << 20;
  auto r = sft({"--resume", std::to_string(run)}, full);
  expect_clear_failure(r, ck.string(), "File too large");
  {
    ps::test::SqliteReader db(store_);
    EXPECT_EQ(db.snapshot(run).status, "failed");
  }
  EXPECT_EQ(tree(ck), ck_before) << "the checkpoint of step 1 changed";
  EXPECT_FALSE(fs::exists(ck.string() + ".tmp")) << "a partial checkpoint was left behind";
  expect_others_untouched();

  // Room again: the run resumes from step 1 and finishes.
  auto r2 = sft({"--resume", std::to_string(run)});
  EXPECT_TRUE(r2.exited(0)) << r2.describe();
  EXPECT_EQ(ps::test::SqliteReader(store_).snapshot(run).status, "finished");
  expect_others_untouched();
}

// The store itself cannot grow: SQLite's error names the store, the store stays sound.
TEST_F(StoreDisk, FullDiskUnderTheStoreIsAClearErrorAndTheStoreStaysSound) {
  ps::test::ChildOptions full;
  full.file_size_limit = 48 << 10;  // the write-ahead log outgrows it with the teacher's traces
  auto r = sft({"--config", config_}, full);
  // SQLite reports the full file as an I/O error; the OS's reason when its errno survives.
  expect_clear_failure(r, store_, "File too large|disk I/O error");
  expect_others_untouched();
  // The run could not be marked failed (its store was full); the next open marks it interrupted.
  const int64_t run = newest_sft();
  if (run != other_) {
    const auto s = ps::test::SqliteReader(store_).snapshot(run);
    EXPECT_TRUE(s.status == "interrupted" || s.status == "failed") << s.status;
  }
}

// A store on a read-only file system: refused before any work, nothing written anywhere.
TEST_F(StoreDisk, ReadOnlyMountedStoreIsRefusedBeforeAnyWork) {
  const auto before = tree(dir_ / "store");
  ps::test::ChildOptions ro;
  ro.read_only = {(dir_ / "store").string()};
  auto r = sft({"--config", config_}, ro);
  SKIP_IF_SETUP_FAILED(r);
  expect_clear_failure(r, store_, "read-only");
  EXPECT_LT(r.seconds, 30) << "refused only after the work";
  EXPECT_EQ(tree(dir_ / "store"), before);
  expect_others_untouched();
}

// A store file without write permission, for a root whose file capabilities are dropped.
TEST_F(StoreDisk, StoreFileWithoutWritePermissionIsRefusedEvenForRoot) {
  ASSERT_EQ(::chmod(store_.c_str(), 0444), 0);
  const auto before = tree(dir_ / "store");
  ps::test::ChildOptions nocap;
  nocap.drop_file_capabilities = true;
  auto r = sft({"--config", config_}, nocap);
  SKIP_IF_SETUP_FAILED(r);
  expect_clear_failure(r, store_, "read-only");
  EXPECT_EQ(tree(dir_ / "store"), before);
  ::chmod(store_.c_str(), 0644);
  expect_others_untouched();
}

// The store is writable, its runs folder is not: the run is created, then marked failed with
// the folder named; the other run's files are untouched.
TEST_F(StoreDisk, ReadOnlyRunsFolderFailsTheRunNamingTheFolder) {
  const fs::path runs = dir_ / "store" / "runs";
  const auto before = tree(runs);
  ps::test::ChildOptions ro;
  ro.read_only = {runs.string()};
  auto r = sft({"--config", config_}, ro);
  SKIP_IF_SETUP_FAILED(r);
  expect_clear_failure(r, runs.string(), "Read-only file system");
  EXPECT_EQ(tree(runs), before);
  const int64_t run = newest_sft();
  ASSERT_NE(run, other_) << "no run recorded";
  EXPECT_EQ(ps::test::SqliteReader(store_).snapshot(run).status, "failed");
  expect_others_untouched();
}

}  // namespace
