// Continuous-arrival batching for the server: HTTP handler threads submit jobs (one request's
// rows = prompts · n, all with one GenerationConfig), one scheduler thread runs them.
//
// Policy: when the queue is not empty the scheduler waits until `window` has passed since the
// oldest queued job arrived (or until max_batch rows of its kind are queued), then takes the
// oldest job and, in arrival order, every queued job with the same settings (max_new_tokens,
// temperature, top_p, top_k, seed, stop ids and strings) while the rows fit max_batch, and runs
// them as one generate() call. Grouping by identical settings, rather than per-row settings,
// keeps generate() exact: a greedy row gives the same tokens as when it runs alone (left padding,
// lm/generate.h). Greedy jobs ignore seed/top_p/top_k when grouping. A sampled job without a seed
// groups with the other seedless jobs of its settings, and the batch draws a fresh seed.
// Jobs of other settings wait for the next round (oldest first: none starves).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lm/generate.h"

namespace ps::serve {

struct BatchOptions {
  int64_t max_batch = 8;                          // rows per generate() call, >= 1
  std::chrono::microseconds window{5000};         // how long the oldest job waits for company
  void validate() const;                          // ps::Error naming the field
};

// What one generate() call did, for the log.
struct BatchRecord {
  int64_t jobs = 0;
  int64_t rows = 0;
  int64_t generated_tokens = 0;
  double seconds = 0;
};

class BatchScheduler {
 public:
  // `run` is generate() bound to the model (called on the scheduler thread only);
  // `on_batch` (optional) is told about each batch after it ran.
  using RunFn = std::function<std::vector<lm::Generation>(const std::vector<std::vector<int64_t>>& prompts,
                                                          const lm::GenerationConfig& config)>;
  using BatchFn = std::function<void(const BatchRecord&)>;

  BatchScheduler(RunFn run, BatchOptions options, BatchFn on_batch = {});
  ~BatchScheduler();  // stop()
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // Queues `prompts` (each row once; the caller repeats a prompt for n > 1) under `config`.
  // `seeded`: config.seed was given by the client. The future holds one Generation per prompt,
  // in order, or the exception generate() threw (ps::Error, std::exception), or ps::Error
  // "the server is shutting down" after stop(). Throws ps::Error when rows > max_batch or
  // after stop().
  std::future<std::vector<lm::Generation>> submit(std::vector<std::vector<int64_t>> prompts,
                                                  lm::GenerationConfig config, bool seeded);

  // Finishes the batch in progress, fails the queued jobs, joins the thread. Idempotent.
  void stop();

 private:
  struct Job {
    std::vector<std::vector<int64_t>> prompts;
    lm::GenerationConfig config;
    bool seeded = false;
    std::chrono::steady_clock::time_point arrived;
    std::promise<std::vector<lm::Generation>> promise;
  };
  static bool same_settings(const Job& a, const Job& b);
  void loop();

  RunFn run_;
  BatchOptions options_;
  BatchFn on_batch_;
  std::mutex stop_mu_;  // serialises stop() (the server and its signal watcher may both call it)
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::mt19937_64 seeds_;
  std::thread thread_;
};

}  // namespace ps::serve
