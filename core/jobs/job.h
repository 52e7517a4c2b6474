// Long-running work with progress, cooperative cancellation and resumption, used
// the same way by the CLI (progress bar on a TTY) and the GUI (a worker thread that
// forwards progress as signals). No Qt here.
//
//   void my_job(ps::jobs::JobContext& ctx) {
//     auto state = ps::jobs::load_checkpoint(ctx).value_or(json{{"next", 0}});   // checkpoint.h
//     for (int i = state["next"]; i < n; ++i) {
//       ctx.check_cancelled();                // throws Cancelled: the job unwinds
//       ... work on item i ...
//       ctx.report(double(i + 1) / n, "item " + std::to_string(i));
//       if (i % 100 == 0) ps::jobs::save_checkpoint(ctx, {{"next", i + 1}});
//     }
//   }
//   runner.h runs it on a thread (GUI) or on the calling thread (CLI).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace ps::jobs {

struct Progress {
  double fraction = 0;      // 0..1, or -1 when unknown
  double eta_seconds = -1;  // -1 when unknown
  std::string message;
};

// Thrown by JobContext::check_cancelled(); jobs let it propagate.
struct Cancelled {};

// What a running job sees. Thread-safe: cancel() may be called from any thread
// (and from a signal handler); report() may be called from the job's worker
// threads, and on_progress then runs on whichever thread reported.
class JobContext {
 public:
  using ProgressFn = std::function<void(const Progress&)>;
  explicit JobContext(ProgressFn on_progress = {}, std::string checkpoint_dir = "");

  // Report progress; the ETA is estimated from elapsed time and fraction.
  // Calls on_progress at most every 50 ms (and always for the first report and
  // for fraction 1). The reported fraction never goes backwards (a smaller value
  // is raised to the largest seen so far); -1 means "unknown" and has no ETA.
  // The ETA uses the rate since the first report, so a resumed job that starts
  // at 0.6 estimates from its own pace, not from a run that began at 0.
  void report(double fraction, const std::string& message);
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_ || (parent_ && parent_->cancelled()); }
  // A stage of a larger job: this context is cancelled whenever `parent` is (the parent must
  // outlive it). Its on_progress typically forwards a scaled fraction to the parent.
  void follow(const JobContext* parent) { parent_ = parent; }
  void check_cancelled() const;  // throws Cancelled

  // The latest progress, whether or not it was forwarded (for polling viewers).
  Progress last_progress() const;

  // Where a resumable job writes and finds its checkpoints (empty: not resumable).
  const std::string& checkpoint_dir() const { return checkpoint_dir_; }

 private:
  ProgressFn on_progress_;
  std::string checkpoint_dir_;
  std::atomic<bool> cancelled_{false};
  const JobContext* parent_ = nullptr;
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;  // guards the report state below
  std::chrono::steady_clock::time_point last_report_;
  bool any_report_ = false;
  double first_fraction_ = 0;
  Progress last_;
};

}  // namespace ps::jobs
