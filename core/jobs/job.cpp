#include "jobs/job.h"

#include <algorithm>

namespace ps::jobs {

JobContext::JobContext(ProgressFn on_progress, std::string checkpoint_dir)
    : on_progress_(std::move(on_progress)),
      checkpoint_dir_(std::move(checkpoint_dir)),
      start_(std::chrono::steady_clock::now()),
      last_report_(start_) {}

void JobContext::check_cancelled() const {
  if (cancelled()) throw Cancelled{};
}

void JobContext::report(double fraction, const std::string& message) {
  using namespace std::chrono;
  auto now = steady_clock::now();
  Progress p;
  p.message = message;
  // The callback runs under the lock, so reports from several threads arrive in
  // order (monotonic); it must not call report() itself.
  std::lock_guard<std::mutex> lock(mu_);
  {
    if (fraction < 0) {
      p.fraction = -1;
    } else {
      p.fraction = std::min(1.0, fraction);
      if (last_.fraction > p.fraction) p.fraction = last_.fraction;  // never backwards
      if (!any_report_) first_fraction_ = p.fraction;
      // ETA = elapsed * (remaining / done since the first report): a constant-rate estimate.
      double done = p.fraction - first_fraction_;
      double elapsed = duration<double>(now - start_).count();
      if (p.fraction >= 1) p.eta_seconds = 0;
      else if (done > 0 && elapsed > 0) p.eta_seconds = elapsed * (1 - p.fraction) / done;
    }
    last_ = p;
    bool first = !any_report_;
    any_report_ = true;
    bool forward = on_progress_ && (first || p.fraction >= 1 || now - last_report_ >= milliseconds(50));
    if (!forward) return;
    last_report_ = now;
  }
  on_progress_(p);
}

Progress JobContext::last_progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

}  // namespace ps::jobs
