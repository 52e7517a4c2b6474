#include "cli/progress.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "store/store.h"
#include "train/recorder.h"

namespace ps::cli {

namespace {

ProgressPrinter::Style resolve(ProgressPrinter::Style s, std::FILE* out) {
  if (s != ProgressPrinter::Style::Auto) return s;
  if (const char* e = std::getenv("PERTURBSCOPE_PROGRESS")) {
    if (!std::strcmp(e, "bar")) return ProgressPrinter::Style::Bar;
    if (!std::strcmp(e, "lines")) return ProgressPrinter::Style::Lines;
    if (!std::strcmp(e, "none")) return ProgressPrinter::Style::None;
  }
  return isatty(fileno(out)) ? ProgressPrinter::Style::Bar : ProgressPrinter::Style::Lines;
}

int terminal_width(std::FILE* out) {
  struct winsize w {};
  if (ioctl(fileno(out), TIOCGWINSZ, &w) == 0 && w.ws_col >= 20) return w.ws_col;
  return 80;
}

std::string percent(double f) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%5.1f%%", 100 * f);
  return buf;
}

}  // namespace

std::string format_duration(double s) {
  if (s < 0 || !std::isfinite(s)) return "?";
  long t = std::lround(s);
  char buf[32];
  if (t < 60) std::snprintf(buf, sizeof buf, "%lds", t);
  else if (t < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  return buf;
}

ProgressPrinter::ProgressPrinter(std::string title, Style style, std::FILE* out)
    : title_(std::move(title)), style_(resolve(style, out)), out_(out) {
  start_ = last_line_ = std::chrono::steady_clock::now();
}

ProgressPrinter::~ProgressPrinter() {
  if (bar_open_) std::fputc('\n', out_);
}

void ProgressPrinter::show(const jobs::Progress& p) {
  auto now = std::chrono::steady_clock::now();
  if (style_ == Style::None) return;
  if (style_ == Style::Lines) {
    // One line a second at most, plus the first and the last.
    if (printed_any_ && p.fraction < 1 && now - last_line_ < std::chrono::seconds(1)) return;
    if (p.fraction >= 1 && last_fraction_ >= 1) return;  // the end is printed once
    last_line_ = now;
    last_fraction_ = p.fraction;
    printed_any_ = true;
    std::string line = title_ + ":";
    if (p.fraction >= 0) line += " " + percent(p.fraction);
    if (p.eta_seconds > 0 && p.fraction < 1) line += " (ETA " + format_duration(p.eta_seconds) + ")";
    if (!p.message.empty()) line += " " + p.message;
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
  // Bar: [#########.........]  45.2% ETA 1m23s  message, cut to the terminal's width.
  const int width = 24;
  std::string bar;
  if (p.fraction >= 0) {
    int filled = int(std::lround(p.fraction * width));
    bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + percent(p.fraction);
  } else {
    long tick = long(std::chrono::duration<double>(now - start_).count() * 8) % (width - 2);
    bar = "[" + std::string(tick, ' ') + "<=>" + std::string(width - 3 - tick, ' ') + "]       ";
  }
  std::string line = title_ + " " + bar;
  if (p.fraction >= 0 && p.fraction < 1) line += " ETA " + format_duration(p.eta_seconds);
  if (!p.message.empty()) line += "  " + p.message;
  size_t cols = size_t(terminal_width(out_) - 1);
  if (line.size() > cols) line.resize(cols);
  std::fprintf(out_, "\r%s\033[K", line.c_str());
  std::fflush(out_);
  bar_open_ = true;
}

void ProgressPrinter::finish(const std::string& final_message) {
  if (style_ == Style::None) return;
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (bar_open_) std::fputc('\n', out_);
  bar_open_ = false;
  std::fprintf(out_, "%s: %s (%s)\n", title_.c_str(), final_message.c_str(), format_duration(took).c_str());
  std::fflush(out_);
}

namespace {
std::atomic<jobs::JobContext*> g_current{nullptr};

// First Ctrl-C or SIGTERM (kill, a service manager): ask the job to stop, so that it records its
// cancellation and keeps its checkpoint (JobContext::cancel only stores an atomic flag, which is
// safe in a signal handler). A second signal: the default action.
extern "C" void on_job_stop_signal(int sig) {
  jobs::JobContext* ctx = g_current.load();
  if (ctx && !ctx->cancelled()) {
    ctx->cancel();
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}
}  // namespace

namespace {
// Writes a job's progress to its store run (train::active_run()) at most once a second and at
// the end, on its own store connection, so the Runs view shows CLI jobs live. Never throws: a
// store that cannot take the progress must not stop the job.
class StoreProgress {
 public:
  void write(const jobs::Progress& p) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto run = train::active_run();
    if (!run) return;
    const auto now = std::chrono::steady_clock::now();
    const bool same = run->run_id == run_ && run->store_path == path_;
    if (same && p.fraction < 1 && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    try {
      if (!store_ || run->store_path != path_) {
        store_ = std::make_unique<store::Store>(run->store_path);
        path_ = run->store_path;
      }
      run_ = run->run_id;
      store_->set_progress(run_, p.fraction >= 0 ? std::min(1.0, p.fraction) : NAN, p.message);
    } catch (...) {
    }
  }

 private:
  std::mutex mu_;
  std::unique_ptr<store::Store> store_;
  std::string path_;
  int64_t run_ = 0;
  std::chrono::steady_clock::time_point last_;
};
}  // namespace

jobs::Outcome run_with_progress(const std::string& title, const jobs::JobFn& fn, const std::string& checkpoint_dir) {
  ProgressPrinter printer(title);
  auto to_store = std::make_shared<StoreProgress>();
  jobs::JobContext ctx(
      [&printer, to_store](const jobs::Progress& p) {
        printer.show(p);
        to_store->write(p);
      },
      checkpoint_dir);
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_job_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  g_current = &ctx;
  struct Restore {
    struct sigaction old_int, old_term;
    ~Restore() {
      g_current = nullptr;
      sigaction(SIGINT, &old_int, nullptr);
      sigaction(SIGTERM, &old_term, nullptr);
    }
  } restore{old_int, old_term};
  jobs::Outcome o;
  try {
    o = jobs::run_job(ctx, fn);
  } catch (...) {
    printer.finish("failed");
    throw;
  }
  if (o == jobs::Outcome::Cancelled) {
    printer.finish(checkpoint_dir.empty() ? "cancelled"
                                          : "cancelled; run the same command again to resume from " + checkpoint_dir);
  } else {
    printer.finish("done");
  }
  return o;
}

}  // namespace ps::cli
