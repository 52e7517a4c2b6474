#include "jobs/runner.h"

#include "common/error.h"

namespace ps::jobs {

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::Running: return "running";
    case Outcome::Finished: return "finished";
    case Outcome::Cancelled: return "cancelled";
    case Outcome::Failed: return "failed";
  }
  return "unknown";
}

Outcome run_job(JobContext& ctx, const JobFn& fn) {
  try {
    fn(ctx);
  } catch (const Cancelled&) {
    return Outcome::Cancelled;
  }
  // A job that noticed cancellation but returned normally still counts as cancelled.
  return ctx.cancelled() ? Outcome::Cancelled : Outcome::Finished;
}

struct JobHandle::State {
  State(JobContext::ProgressFn fn, std::string dir) : ctx(std::move(fn), std::move(dir)) {}
  JobContext ctx;
  mutable std::mutex mu;
  std::condition_variable done_cv;
  Outcome outcome = Outcome::Running;
  std::exception_ptr error;
  std::string message;
};

JobHandle start_job(JobFn fn, JobContext::ProgressFn on_progress, std::string checkpoint_dir) {
  JobHandle h;
  h.state_ = std::make_shared<JobHandle::State>(std::move(on_progress), std::move(checkpoint_dir));
  auto st = h.state_;
  h.thread_ = std::thread([st, fn = std::move(fn)] {
    Outcome o;
    std::exception_ptr err;
    std::string msg;
    try {
      o = run_job(st->ctx, fn);
    } catch (const std::exception& e) {
      o = Outcome::Failed;
      err = std::current_exception();
      msg = e.what();
    } catch (...) {
      o = Outcome::Failed;
      err = std::current_exception();
      msg = "unknown error";
    }
    std::lock_guard<std::mutex> lock(st->mu);
    st->outcome = o;
    st->error = err;
    st->message = msg;
    st->done_cv.notify_all();
  });
  return h;
}

JobHandle::~JobHandle() {
  if (thread_.joinable()) {
    cancel();
    thread_.join();
  }
}

JobHandle& JobHandle::operator=(JobHandle&& other) noexcept {
  if (this != &other) {
    if (thread_.joinable()) {
      cancel();
      thread_.join();
    }
    state_ = std::move(other.state_);
    thread_ = std::move(other.thread_);
  }
  return *this;
}

void JobHandle::cancel() {
  if (state_) state_->ctx.cancel();
}

Outcome JobHandle::wait() {
  if (!state_) throw Error("JobHandle::wait on an empty handle");
  if (thread_.joinable()) thread_.join();
  return outcome();
}

Outcome JobHandle::wait_for(std::chrono::milliseconds timeout) {
  if (!state_) throw Error("JobHandle::wait_for on an empty handle");
  std::unique_lock<std::mutex> lock(state_->mu);
  if (!state_->done_cv.wait_for(lock, timeout, [&] { return state_->outcome != Outcome::Running; }))
    return Outcome::Running;
  Outcome o = state_->outcome;
  lock.unlock();
  if (thread_.joinable()) thread_.join();  // the thread is about to exit
  return o;
}

Outcome JobHandle::outcome() const {
  if (!state_) return Outcome::Running;
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->outcome;
}

std::string JobHandle::error() const {
  if (!state_) return "";
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->message;
}

std::exception_ptr JobHandle::exception() const {
  if (!state_) return nullptr;
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->error;
}

Progress JobHandle::progress() const { return state_ ? state_->ctx.last_progress() : Progress{}; }

JobContext& JobHandle::context() {
  if (!state_) throw Error("JobHandle::context on an empty handle");
  return state_->ctx;
}

}  // namespace ps::jobs
