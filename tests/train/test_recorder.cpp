// The Recorder keeps why a run failed or was cancelled (the store's status_reason) and says which
// run it records (active_run), for the CLI's progress writer.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "jobs/job.h"
#include "scratch.h"
#include "store/store.h"
#include "train/recorder.h"

namespace fs = std::filesystem;

TEST(Recorder, KeepsTheFailureReasonAndTheActiveRun) {
  const fs::path dir = ps::test::scratch_dir("recorder");
  const std::string path = (dir / "s.db").string();
  fs::remove(path);
  ps::store::Store st(path);
  int64_t failed = 0, cancelled = 0;
  {
    ps::train::Recorder rec(st, "sft", "fails", nlohmann::json::object());
    failed = rec.run_id();
    ASSERT_TRUE(ps::train::active_run());
    EXPECT_EQ(ps::train::active_run()->run_id, failed);
    EXPECT_EQ(ps::train::active_run()->store_path, fs::absolute(path).string());
    try {
      throw ps::Error("data/perturbqa: no such file");
    } catch (...) {
      rec.finish_from_exception();
    }
  }
  EXPECT_FALSE(ps::train::active_run());  // the recorder is gone
  {
    ps::train::Recorder rec(st, "grpo", "cancelled", nlohmann::json::object());
    cancelled = rec.run_id();
    try {
      throw ps::jobs::Cancelled{};
    } catch (...) {
      rec.finish_from_exception();
    }
  }
  auto f = *st.get_run(failed), c = *st.get_run(cancelled);
  EXPECT_EQ(f.status, ps::store::RunStatus::Failed);
  EXPECT_EQ(f.status_reason, "data/perturbqa: no such file");
  EXPECT_EQ(c.status, ps::store::RunStatus::Cancelled);
  EXPECT_EQ(c.status_reason, "cancelled");
  // resuming takes the run back: the reason goes
  {
    ps::train::Recorder rec(st, failed, 0);
    EXPECT_EQ(ps::train::active_run()->run_id, failed);
    EXPECT_EQ(st.get_run(failed)->status_reason, "");
  }
}
