// Progress of a job on the terminal: a redrawn bar with fraction, ETA and message
// when stderr is a TTY, plain lines (at most one a second) otherwise, e.g. in CI
// logs. PERTURBSCOPE_PROGRESS=bar|lines|none overrides the choice.
//
// The one call for a command:
//   auto outcome = ps::cli::run_with_progress("knn k562", [&](ps::jobs::JobContext& ctx) {
//     ... ctx.report(f, "msg"); ctx.check_cancelled(); ...
//   });
// Ctrl-C cancels the job cooperatively (a second Ctrl-C ends the process).
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

#include "jobs/job.h"
#include "jobs/runner.h"

namespace ps::cli {

class ProgressPrinter {
 public:
  enum class Style { Auto, Bar, Lines, None };
  explicit ProgressPrinter(std::string title, Style style = Style::Auto, std::FILE* out = stderr);
  ~ProgressPrinter();  // ends the bar's line

  void show(const jobs::Progress& p);
  jobs::JobContext::ProgressFn callback() {
    return [this](const jobs::Progress& p) { show(p); };
  }
  // Ends the bar with a final line, e.g. "done in 12s" or "cancelled".
  void finish(const std::string& final_message);
  Style style() const { return style_; }

 private:
  std::string title_;
  Style style_;
  std::FILE* out_;
  bool bar_open_ = false;
  bool printed_any_ = false;
  double last_fraction_ = 0;
  std::chrono::steady_clock::time_point start_, last_line_;
};

// "42s", "3m05s", "1h02m"; "?" for a negative (unknown) duration.
std::string format_duration(double seconds);

// Runs fn on this thread with progress on stderr and Ctrl-C wired to cancel().
// Returns Finished or Cancelled (after printing "cancelled"); errors propagate.
jobs::Outcome run_with_progress(const std::string& title, const jobs::JobFn& fn,
                                const std::string& checkpoint_dir = "");

}  // namespace ps::cli
