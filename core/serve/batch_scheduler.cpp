#include "serve/batch_scheduler.h"

#include "common/error.h"

namespace ps::serve {

void BatchOptions::validate() const {
  if (max_batch < 1) throw Error("serve: max_batch must be >= 1, got " + std::to_string(max_batch));
  if (window.count() < 0 || window > std::chrono::seconds(10))
    throw Error("serve: batch window must be in [0, 10000] ms, got " + std::to_string(window.count() / 1000.0) + " ms");
}

BatchScheduler::BatchScheduler(RunFn run, BatchOptions options, BatchFn on_batch)
    : run_(std::move(run)), options_(options), on_batch_(std::move(on_batch)), seeds_(std::random_device{}()) {
  options_.validate();
  thread_ = std::thread([this] { loop(); });
}

BatchScheduler::~BatchScheduler() { stop(); }

bool BatchScheduler::same_settings(const Job& a, const Job& b) {
  const lm::GenerationConfig& x = a.config;
  const lm::GenerationConfig& y = b.config;
  if (x.max_new_tokens != y.max_new_tokens || x.stop_ids != y.stop_ids || x.stop_strings != y.stop_strings ||
      x.pad_id != y.pad_id || x.use_adapter != y.use_adapter)
    return false;
  const bool greedy_x = x.temperature <= 0, greedy_y = y.temperature <= 0;
  if (greedy_x || greedy_y) return greedy_x && greedy_y;
  return x.temperature == y.temperature && x.top_p == y.top_p && x.top_k == y.top_k && a.seeded == b.seeded &&
         (!a.seeded || x.seed == y.seed);
}

std::future<std::vector<lm::Generation>> BatchScheduler::submit(std::vector<std::vector<int64_t>> prompts,
                                                                lm::GenerationConfig config, bool seeded) {
  if (static_cast<int64_t>(prompts.size()) > options_.max_batch)
    throw Error("serve: a job of " + std::to_string(prompts.size()) + " rows exceeds max_batch " +
                std::to_string(options_.max_batch));
  if (prompts.empty()) throw Error("serve: a job needs at least one prompt");
  Job job;
  job.prompts = std::move(prompts);
  job.config = std::move(config);
  job.seeded = seeded;
  job.arrived = std::chrono::steady_clock::now();
  auto future = job.promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) throw Error("serve: the server is shutting down");
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
  return future;
}

void BatchScheduler::stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& job : queue_)
    job.promise.set_exception(std::make_exception_ptr(Error("serve: the server is shutting down")));
  queue_.clear();
}

void BatchScheduler::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // Wait for company: until the window after the oldest job closes, or its kind fills a batch.
    const auto deadline = queue_.front().arrived + options_.window;
    while (!stopping_) {
      int64_t rows = 0;
      for (const auto& j : queue_)
        if (same_settings(j, queue_.front())) rows += static_cast<int64_t>(j.prompts.size());
      if (rows >= options_.max_batch) break;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    }
    if (stopping_) return;

    std::vector<Job> batch;
    int64_t rows = 0;
    for (auto it = queue_.begin(); it != queue_.end();) {
      const int64_t r = static_cast<int64_t>(it->prompts.size());
      if ((batch.empty() || same_settings(*it, batch.front())) && rows + r <= options_.max_batch) {
        rows += r;
        batch.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();

    std::vector<std::vector<int64_t>> prompts;
    for (const auto& j : batch) prompts.insert(prompts.end(), j.prompts.begin(), j.prompts.end());
    lm::GenerationConfig config = batch.front().config;
    if (config.temperature > 0 && !batch.front().seeded) config.seed = seeds_();
    const auto t0 = std::chrono::steady_clock::now();
    try {
      std::vector<lm::Generation> out = run_(prompts, config);
      if (out.size() != prompts.size())
        throw Error("serve: generate returned " + std::to_string(out.size()) + " rows for " +
                    std::to_string(prompts.size()));
      BatchRecord rec;
      rec.jobs = static_cast<int64_t>(batch.size());
      rec.rows = static_cast<int64_t>(prompts.size());
      for (const auto& g : out) rec.generated_tokens += g.generated_tokens;
      rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      size_t k = 0;
      for (auto& j : batch) {
        std::vector<lm::Generation> mine(std::make_move_iterator(out.begin() + k),
                                         std::make_move_iterator(out.begin() + k + j.prompts.size()));
        k += j.prompts.size();
        j.promise.set_value(std::move(mine));
      }
      if (on_batch_) on_batch_(rec);
    } catch (...) {
      const auto error = std::current_exception();
      for (auto& j : batch) {
        try {
          j.promise.set_exception(error);
        } catch (const std::future_error&) {
          // already satisfied (on_batch_ threw after the values were set)
        }
      }
    }
    lock.lock();
  }
}

}  // namespace ps::serve
