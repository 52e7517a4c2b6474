// Long-running work with progress, cooperative cancellation and resumption, used
// the same way by the CLI (progress bar on a TTY) and the GUI (a worker thread that
// forwards progress as signals). No Qt here.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace ps::jobs {

struct Progress {
  double fraction = 0;      // 0..1, or -1 when unknown
  double eta_seconds = -1;  // -1 when unknown
  std::string message;
};

// Thrown by JobContext::check_cancelled(); jobs let it propagate.
struct Cancelled {};

// What a running job sees. Thread-safe: cancel() may be called from any thread.
class JobContext {
 public:
  using ProgressFn = std::function<void(const Progress&)>;
  explicit JobContext(ProgressFn on_progress = {}, std::string checkpoint_dir = "");

  // Report progress; the ETA is estimated from elapsed time and fraction.
  // Calls on_progress at most every 50 ms (and always for fraction 0 and 1).
  void report(double fraction, const std::string& message);
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }
  void check_cancelled() const;  // throws Cancelled

  // Where a resumable job writes and finds its checkpoints (empty: not resumable).
  const std::string& checkpoint_dir() const { return checkpoint_dir_; }

 private:
  ProgressFn on_progress_;
  std::string checkpoint_dir_;
  std::atomic<bool> cancelled_{false};
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_report_;
};

}  // namespace ps::jobs
