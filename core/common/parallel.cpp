#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ps {

int max_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  const long cap = std::max(4L, 4L * static_cast<long>(hw));
  return static_cast<int>(std::min<long>(cap, kMaxThreadsCeiling));
}

int clamp_threads(long requested) {
  return static_cast<int>(std::max(1L, std::min(requested, static_cast<long>(max_threads()))));
}

void parallel_for(size_t n, int threads, const std::function<void(size_t, int)>& fn) {
  if (n == 0) return;
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(clamp_threads(threads)), n));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    try {
      for (size_t i; !stop.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < n;) fn(i, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      stop = true;
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(static_cast<size_t>(threads - 1));
  } catch (const std::bad_alloc&) {
  }
  for (int t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work, t);
    } catch (const std::system_error&) {
      break;  // no more threads: the started ones and this one do the work
    } catch (const std::bad_alloc&) {
      break;
    }
  }
  work(0);
  for (auto& th : pool) th.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace ps
