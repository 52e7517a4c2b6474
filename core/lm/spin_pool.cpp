#include "lm/spin_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ps::lm {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

thread_local bool t_inside_section = false;

constexpr int kTaskBits = 8;  // parts per section, in the low bits of the section word
constexpr uint64_t kTaskMask = (uint64_t(1) << kTaskBits) - 1;

class SpinPool {
 public:
  using Fn = std::function<void(int64_t, int64_t)>;

  // Never destroyed (workers may still be asleep in it when the process exits).
  static SpinPool& instance() {
    static SpinPool* pool = new SpinPool;
    return *pool;
  }

  // Runs fn over `tasks` parts of `chunk` items each (the last may be shorter).
  // Returns false, running nothing, when another thread holds the pool.
  bool run(int64_t n, int64_t chunk, int tasks, const Fn& fn) {
    std::unique_lock<std::mutex> section(run_mu_, std::try_to_lock);
    if (!section.owns_lock()) return false;
    // A thread that cannot be started (e.g. under an address-space limit) is not fatal: with
    // fewer workers than parts the caller runs the whole range itself.
    if (!add_workers(tasks - 1)) return false;
    fn_ = &fn;
    n_ = n;
    chunk_ = chunk;
    pending_.store(tasks - 1);
    // Publishes the fields above: a new section number with the task count in its low bits.
    section_.store((((section_.load() >> kTaskBits) + 1) << kTaskBits) | static_cast<uint64_t>(tasks));
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lk(sleep_mu_);  // a worker between its check and its wait
      wake_.notify_all();
    }
    run_part(0);
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < 100000) cpu_relax();
      else std::this_thread::yield();  // a worker was descheduled: give it the core
    }
    fn_ = nullptr;
    return true;
  }

 private:
  void run_part(int task) {
    const int64_t begin = task * chunk_, end = std::min(n_, begin + chunk_);
    t_inside_section = true;
    if (begin < end) (*fn_)(begin, end);
    t_inside_section = false;
  }

  bool add_workers(int count) {
    // Reserved first: once a thread runs, recording it must not throw (its task number is taken).
    try {
      workers_.reserve(static_cast<size_t>(std::max(count, 0)));
    } catch (const std::bad_alloc&) {
      return false;
    }
    while (static_cast<int>(workers_.size()) < count) {
      const int task = static_cast<int>(workers_.size()) + 1;
      // The section before this one: the new thread may start after run() moved it on.
      const uint64_t before = section_.load();
      try {
        std::thread t([this, task, before] { worker(task, before); });
        t.detach();
        workers_.push_back(std::move(t));
      } catch (const std::system_error&) {
        return false;
      }
    }
    return true;
  }

  void worker(int task, uint64_t seen) {
    for (;;) {
      wait_for_section(seen);
      seen = section_.load(std::memory_order_acquire);
      // Only a worker with a part reads the section's fields: run() waits for it, so they
      // cannot change under it. One without a part may wake late, when the next section
      // is already published; it then decides from that section's word, never a mix.
      if (task < static_cast<int>(seen & kTaskMask)) {
        run_part(task);
        pending_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  // Spins up to kSpinPoolSpinMicros for the section to move past `seen`, then sleeps.
  void wait_for_section(uint64_t seen) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinPoolSpinMicros);
    for (int spins = 0;; ++spins) {
      if (section_.load(std::memory_order_acquire) != seen) return;
      cpu_relax();
      if ((spins & 255) == 255 && std::chrono::steady_clock::now() > until) break;
    }
    std::unique_lock<std::mutex> lk(sleep_mu_);
    sleepers_.fetch_add(1);  // seq_cst, paired with run(): one of us sees the other
    wake_.wait(lk, [&] { return section_.load() != seen; });
    sleepers_.fetch_sub(1);
  }

  std::mutex run_mu_;  // one section at a time
  std::vector<std::thread> workers_;
  // The section being run; written by run() before section_ moves.
  const Fn* fn_ = nullptr;
  int64_t n_ = 0, chunk_ = 0;
  // (section number << kTaskBits) | number of parts; the workers watch it.
  std::atomic<uint64_t> section_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mu_;
  std::condition_variable wake_;
};

}  // namespace

void spin_parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  // at::parallel_for's split: as many parts as threads allow, each >= grain, equal sizes.
  const int64_t threads = std::clamp<int64_t>(at::get_num_threads(), 1, int64_t(kTaskMask));
  const int tasks = static_cast<int>(std::min(threads, (n + grain - 1) / grain));
  if (tasks <= 1 || t_inside_section) return fn(0, n);
  const int64_t chunk = (n + tasks - 1) / tasks;
  const int used = static_cast<int>((n + chunk - 1) / chunk);
  if (!SpinPool::instance().run(n, chunk, used, fn)) fn(0, n);
}

}  // namespace ps::lm
