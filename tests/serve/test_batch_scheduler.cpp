// The batching policy, with a recording stand-in for generate(): which jobs share a call.
#include <chrono>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "common/error.h"
#include "serve/batch_scheduler.h"

using ps::lm::Generation;
using ps::lm::GenerationConfig;
using ps::serve::BatchOptions;
using ps::serve::BatchScheduler;

namespace {

struct Recorder {
  std::mutex mu;
  std::vector<std::vector<std::vector<int64_t>>> calls;  // the prompts of each call
  std::vector<GenerationConfig> configs;
  BatchScheduler::RunFn fn() {
    return [this](const std::vector<std::vector<int64_t>>& prompts, const GenerationConfig& cfg) {
      {
        std::lock_guard<std::mutex> lock(mu);
        calls.push_back(prompts);
        configs.push_back(cfg);
      }
      std::vector<Generation> out;
      for (const auto& p : prompts) {
        Generation g;
        g.prompt_ids = p;
        g.ids = {p.front() * 10};  // marks which prompt a row came from
        g.generated_tokens = 1;
        out.push_back(g);
      }
      return out;
    };
  }
};

BatchOptions options(int64_t max_batch, int window_ms) {
  BatchOptions o;
  o.max_batch = max_batch;
  o.window = std::chrono::milliseconds(window_ms);
  return o;
}

GenerationConfig greedy(int64_t max_new = 8) {
  GenerationConfig c;
  c.max_new_tokens = max_new;
  return c;
}

TEST(BatchScheduler, JobsArrivingTogetherShareOneCallAndGetTheirOwnRows) {
  Recorder rec;
  BatchScheduler s(rec.fn(), options(8, 200));
  auto a = s.submit({{1}, {2}}, greedy(), false);
  auto b = s.submit({{3}}, greedy(), false);
  const auto ra = a.get(), rb = b.get();
  ASSERT_EQ(rec.calls.size(), 1u);
  EXPECT_EQ(rec.calls[0], (std::vector<std::vector<int64_t>>{{1}, {2}, {3}}));
  ASSERT_EQ(ra.size(), 2u);
  EXPECT_EQ(ra[0].ids, std::vector<int64_t>{10});
  EXPECT_EQ(ra[1].ids, std::vector<int64_t>{20});
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].ids, std::vector<int64_t>{30});
}

TEST(BatchScheduler, DifferentSettingsRunInSeparateCalls) {
  Recorder rec;
  BatchScheduler s(rec.fn(), options(8, 200));
  GenerationConfig sampled = greedy();
  sampled.temperature = 0.7;
  sampled.seed = 5;
  GenerationConfig greedy_other_seed = greedy();
  greedy_other_seed.seed = 99;   // ignored when greedy
  greedy_other_seed.top_p = 0.5;
  auto a = s.submit({{1}}, greedy(), false);
  auto b = s.submit({{2}}, sampled, true);
  auto c = s.submit({{3}}, greedy(16), false);  // another max_tokens
  auto d = s.submit({{4}}, greedy_other_seed, true);
  a.get(), b.get(), c.get(), d.get();
  ASSERT_EQ(rec.calls.size(), 3u);
  EXPECT_EQ(rec.calls[0], (std::vector<std::vector<int64_t>>{{1}, {4}}));  // oldest first, with its kind
  EXPECT_EQ(rec.calls[1], (std::vector<std::vector<int64_t>>{{2}}));
  EXPECT_EQ(rec.calls[2], (std::vector<std::vector<int64_t>>{{3}}));
  EXPECT_EQ(rec.configs[1].seed, 5u);  // a client's seed is kept
}

TEST(BatchScheduler, MaxBatchSplitsCalls) {
  Recorder rec;
  BatchScheduler s(rec.fn(), options(3, 200));
  std::vector<std::future<std::vector<Generation>>> fs;
  for (int64_t i = 1; i <= 5; ++i) fs.push_back(s.submit({{i}}, greedy(), false));
  for (auto& f : fs) EXPECT_EQ(f.get().size(), 1u);
  ASSERT_EQ(rec.calls.size(), 2u);
  EXPECT_EQ(rec.calls[0].size(), 3u);
  EXPECT_EQ(rec.calls[1].size(), 2u);
  EXPECT_THROW(s.submit({{1}, {2}, {3}, {4}}, greedy(), false), ps::Error);
}

TEST(BatchScheduler, AFullBatchDoesNotWaitForTheWindow) {
  Recorder rec;
  BatchScheduler s(rec.fn(), options(2, 5000));
  const auto t0 = std::chrono::steady_clock::now();
  auto a = s.submit({{1}, {2}}, greedy(), false);
  a.get();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
}

TEST(BatchScheduler, GenerateErrorsReachEveryJobOfTheBatch) {
  BatchScheduler s([](const std::vector<std::vector<int64_t>>&, const GenerationConfig&) -> std::vector<Generation> {
    throw ps::Error("out of memory");
  }, options(8, 100));
  auto a = s.submit({{1}}, greedy(), false);
  auto b = s.submit({{2}}, greedy(), false);
  EXPECT_THROW(a.get(), ps::Error);
  EXPECT_THROW(b.get(), ps::Error);
  // The scheduler still runs after a failed batch.
  auto c = s.submit({{3}}, greedy(), false);
  EXPECT_THROW(c.get(), ps::Error);
}

TEST(BatchScheduler, StopFailsQueuedJobs) {
  std::promise<void> release;
  auto released = release.get_future().share();
  BatchScheduler s([released](const std::vector<std::vector<int64_t>>& p, const GenerationConfig&) {
    released.wait();
    return std::vector<Generation>(p.size());
  }, options(1, 0));
  auto a = s.submit({{1}}, greedy(), false);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a is running
  auto b = s.submit({{2}}, greedy(), false);
  std::thread stopper([&s] { s.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release.set_value();
  stopper.join();
  EXPECT_EQ(a.get().size(), 1u);  // the batch in progress finishes
  try {
    b.get();
    ADD_FAILURE() << "a queued job ran after stop()";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("shutting down"), std::string::npos);
  }
  EXPECT_THROW(s.submit({{3}}, greedy(), false), ps::Error);
}

}  // namespace
