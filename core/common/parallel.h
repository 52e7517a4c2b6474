// The one way core code runs work on several CPU threads.
//
//   ps::parallel_for(n, threads, [&](size_t i, int worker) { ... });
//
// calls fn(i, worker) once for every i in [0, n), spread over at most `threads` threads
// (the caller's thread is worker 0; indices are handed out one at a time, so which thread
// runs an index is not fixed: results must depend on i only, worker ids exist for
// per-thread scratch buffers in [0, threads)). Robustness rules:
//   - the thread count is clamped to [1, max_threads()];
//   - a thread that cannot be started (std::system_error, e.g. under an address-space
//     limit) is not fatal: the work runs on the threads that did start (at least the
//     caller's), and every started thread is joined before parallel_for returns;
//   - the first exception thrown by fn stops the hand-out of further indices and is
//     rethrown on the caller's thread after all threads are joined.
#pragma once
#include <cstddef>
#include <functional>

namespace ps {

// The documented cap on worker threads: 4 × std::thread::hardware_concurrency(), at least 4
// and at most 256 (kMaxThreadsCeiling).
constexpr int kMaxThreadsCeiling = 256;
int max_threads();

// `requested` clamped to [1, max_threads()].
int clamp_threads(long requested);

void parallel_for(size_t n, int threads, const std::function<void(size_t i, int worker)>& fn);

}  // namespace ps
