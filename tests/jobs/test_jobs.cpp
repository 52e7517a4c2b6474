#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "common/error.h"
#include "jobs/checkpoint.h"
#include "jobs/job.h"
#include "jobs/runner.h"

namespace fs = std::filesystem;
using namespace ps::jobs;
using Clock = std::chrono::steady_clock;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("ps_jobs_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

TEST(JobContext, ProgressIsMonotonicThrottledAndHasAnEta) {
  std::vector<Progress> seen;
  JobContext ctx([&](const Progress& p) { seen.push_back(p); });
  const int n = 60;
  auto t0 = Clock::now();
  for (int i = 0; i <= n; ++i) {
    ctx.report(double(i) / n, "step " + std::to_string(i));
    if (i == n / 2) ctx.report(0.1, "a late, smaller value");  // must not move the bar back
    sleep_ms(10);
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_GE(seen.size(), 3u);
  EXPECT_DOUBLE_EQ(seen.front().fraction, 0.0);
  EXPECT_EQ(seen.front().message, "step 0");
  EXPECT_DOUBLE_EQ(seen.back().fraction, 1.0);
  EXPECT_DOUBLE_EQ(seen.back().eta_seconds, 0.0);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].fraction, seen[i - 1].fraction) << i;
  // Throttled to one call per 50 ms (plus the first and the last).
  EXPECT_LE(seen.size(), size_t(elapsed / 0.05) + 3);
  EXPECT_LT(seen.size(), size_t(n));
  // At a steady pace the ETA is about the time still to go.
  for (const auto& p : seen) {
    if (p.fraction < 0.2 || p.fraction >= 1) continue;
    double expected = elapsed * (1 - p.fraction);
    EXPECT_GT(p.eta_seconds, 0.4 * expected) << p.fraction;
    EXPECT_LT(p.eta_seconds, 2.5 * expected) << p.fraction;
  }
  EXPECT_DOUBLE_EQ(ctx.last_progress().fraction, 1.0);
}

TEST(JobContext, UnknownFractionHasNoEta) {
  Progress last;
  JobContext ctx([&](const Progress& p) { last = p; });
  ctx.report(-1, "counting");
  EXPECT_DOUBLE_EQ(last.fraction, -1);
  EXPECT_DOUBLE_EQ(last.eta_seconds, -1);
  EXPECT_EQ(last.message, "counting");
}

TEST(JobContext, EtaOfAResumedJobUsesItsOwnPace) {
  std::vector<Progress> seen;
  JobContext ctx([&](const Progress& p) { seen.push_back(p); });
  ctx.report(0.9, "resumed");  // the first 90 % were done by an earlier run
  sleep_ms(120);
  ctx.report(0.95, "half of what was left");
  ASSERT_EQ(seen.size(), 2u);
  // 0.05 took ~0.12 s, 0.05 is left: ~0.12 s, not the ~0.01 s a start at 0 would suggest.
  EXPECT_GT(seen[1].eta_seconds, 0.06);
  EXPECT_LT(seen[1].eta_seconds, 0.5);
}

TEST(Runner, CancelTakesEffectWithinOneSecond) {
  std::atomic<int> steps{0};
  JobHandle h = start_job([&](JobContext& ctx) {
    for (int i = 0; i < 60000; ++i) {  // a minute of work unless cancelled
      ctx.check_cancelled();
      sleep_ms(1);
      ctx.report(i / 60000.0, "working");
      ++steps;
    }
  });
  while (steps < 20) sleep_ms(1);
  EXPECT_EQ(h.outcome(), Outcome::Running);
  EXPECT_EQ(h.wait_for(std::chrono::milliseconds(10)), Outcome::Running);
  auto t0 = Clock::now();
  h.cancel();
  Outcome o = h.wait_for(std::chrono::milliseconds(1000));
  double took = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(o, Outcome::Cancelled);
  EXPECT_LT(took, 1.0);
  EXPECT_GT(h.progress().fraction, 0.0);
}

TEST(Runner, FailureIsReportedWithItsMessage) {
  JobHandle h = start_job([](JobContext&) { throw ps::Error(ps::where("input.csv", 7, "bad row")); });
  EXPECT_EQ(h.wait(), Outcome::Failed);
  EXPECT_EQ(h.error(), "input.csv:7: bad row");
  EXPECT_THROW(std::rethrow_exception(h.exception()), ps::Error);
}

TEST(Runner, FinishedJobAndProgressCallbackOnItsThread) {
  std::thread::id job_thread;
  std::vector<double> fractions;
  JobHandle h = start_job(
      [&](JobContext& ctx) {
        job_thread = std::this_thread::get_id();
        ctx.report(0, "start");
        ctx.report(1, "done");
      },
      [&](const Progress& p) {
        EXPECT_EQ(std::this_thread::get_id(), job_thread);
        fractions.push_back(p.fraction);
      });
  EXPECT_EQ(h.wait(), Outcome::Finished);
  EXPECT_EQ(fractions, (std::vector<double>{0, 1}));
}

TEST(Runner, DestroyingTheHandleCancelsAndJoins) {
  auto t0 = Clock::now();
  {
    JobHandle h = start_job([&](JobContext& ctx) {
      while (true) {
        ctx.check_cancelled();
        sleep_ms(1);
      }
    });
    sleep_ms(20);
  }
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 1.0);
}

TEST(Runner, RunJobOnTheCallingThread) {
  JobContext ctx;
  EXPECT_EQ(run_job(ctx, [](JobContext&) {}), Outcome::Finished);
  JobContext c2;
  EXPECT_EQ(run_job(c2, [](JobContext& c) { c.cancel(); c.check_cancelled(); }), Outcome::Cancelled);
  JobContext c3;
  EXPECT_THROW(run_job(c3, [](JobContext&) { throw ps::Error("x"); }), ps::Error);
}

// A resumable job: sums i*i over 100 items, checkpointing every 10 items. The first
// run is cancelled after item 34; the second resumes from the checkpoint (next=30)
// and must not redo items 0..29, and must give the same total as an uninterrupted run.
namespace {
struct Sums {
  std::mutex mu;
  std::vector<int> times_done = std::vector<int>(100, 0);
};

void summing_job(JobContext& ctx, Sums& log, int cancel_after) {
  nlohmann::json st = load_checkpoint(ctx).value_or(nlohmann::json{{"next", 0}, {"sum", 0}});
  int next = st["next"];
  long long sum = st["sum"];
  for (int i = next; i < 100; ++i) {
    ctx.check_cancelled();
    sum += (long long)i * i;
    {
      std::lock_guard<std::mutex> lock(log.mu);
      ++log.times_done[i];
    }
    ctx.report((i + 1) / 100.0, "item " + std::to_string(i));
    if ((i + 1) % 10 == 0) save_checkpoint(ctx, {{"next", i + 1}, {"sum", sum}});
    if (i == cancel_after) ctx.cancel();
  }
  save_checkpoint(ctx, {{"next", 100}, {"sum", sum}, {"done", true}});
}
}  // namespace

TEST(Checkpoint, CancelledJobResumesFromItsLastCheckpoint) {
  fs::path dir = temp_dir("resume");
  Sums log;
  JobHandle first = start_job([&](JobContext& ctx) { summing_job(ctx, log, 34); }, {}, dir.string());
  EXPECT_EQ(first.wait(), Outcome::Cancelled);
  auto saved = load_checkpoint(dir.string());
  ASSERT_TRUE(saved);
  EXPECT_EQ((*saved)["next"], 30);

  double first_fraction = -1;
  JobHandle second = start_job([&](JobContext& ctx) { summing_job(ctx, log, -1); },
                               [&](const Progress& p) {
                                 if (first_fraction < 0) first_fraction = p.fraction;
                               },
                               dir.string());
  EXPECT_EQ(second.wait(), Outcome::Finished);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(log.times_done[i], 1) << "item " << i << " was redone";
  for (int i = 30; i < 35; ++i) EXPECT_EQ(log.times_done[i], 2) << "item " << i;  // after the last checkpoint
  for (int i = 35; i < 100; ++i) EXPECT_EQ(log.times_done[i], 1) << "item " << i;
  EXPECT_DOUBLE_EQ(first_fraction, 0.31);  // progress picks up where the checkpoint was
  auto done = load_checkpoint(dir.string());
  long long expected = 0;
  for (int i = 0; i < 100; ++i) expected += (long long)i * i;
  EXPECT_EQ((*done)["sum"].get<long long>(), expected);
  clear_checkpoint(dir.string());
  EXPECT_FALSE(load_checkpoint(dir.string()));
  fs::remove_all(dir);
}

TEST(Checkpoint, NoDirectoryMeansNotResumable) {
  JobContext ctx;
  save_checkpoint(ctx, {{"next", 3}});
  EXPECT_FALSE(load_checkpoint(ctx));
}

TEST(Checkpoint, CorruptCheckpointIsAnErrorNamingTheFile) {
  fs::path dir = temp_dir("corrupt");
  std::ofstream(checkpoint_path(dir.string())) << "{\"format\":1,\"state\":{\"next\":";
  try {
    load_checkpoint(dir.string());
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find(checkpoint_path(dir.string())), std::string::npos) << e.what();
  }
  std::ofstream(checkpoint_path(dir.string())) << "{\"format\":99,\"state\":{}}";
  EXPECT_THROW(load_checkpoint(dir.string()), ps::Error);
  fs::remove_all(dir);
}

TEST(JobContext, ReportsFromSeveralWorkerThreadsArriveInOrder) {
  std::vector<double> seen;
  JobContext ctx([&](const Progress& p) { seen.push_back(p.fraction); });  // runs under the context's lock
  std::atomic<int> done{0};
  const int per_thread = 2000, threads = 4;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        int d = ++done;
        ctx.report(double(d) / (threads * per_thread), "item");
        if (i % 100 == 0) sleep_ms(1);
      }
    });
  for (auto& th : pool) th.join();
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]) << i;
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);
}
