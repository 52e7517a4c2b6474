// Running a job: on the calling thread (the CLI) or on its own std::thread with a
// handle to cancel and wait (the GUI's worker). Either way the job is a function
// of a JobContext; Cancelled ends it cleanly, any other exception marks it failed.
#pragma once
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "jobs/job.h"

namespace ps::jobs {

enum class Outcome { Running, Finished, Cancelled, Failed };
std::string to_string(Outcome o);

using JobFn = std::function<void(JobContext&)>;

// Runs fn on this thread. Returns Finished or Cancelled; other exceptions propagate.
Outcome run_job(JobContext& ctx, const JobFn& fn);

// A job on its own thread. Destroying the handle cancels the job and waits for it,
// so a thread never outlives its handle. Movable, not copyable.
class JobHandle {
 public:
  JobHandle() = default;
  ~JobHandle();
  JobHandle(JobHandle&&) noexcept = default;
  JobHandle& operator=(JobHandle&& other) noexcept;
  JobHandle(const JobHandle&) = delete;
  JobHandle& operator=(const JobHandle&) = delete;

  void cancel();                    // asks the job to stop at its next check_cancelled()
  Outcome wait();                   // blocks until the job ends
  // Waits at most `timeout`; returns Outcome::Running when the job has not ended yet.
  Outcome wait_for(std::chrono::milliseconds timeout);
  Outcome outcome() const;          // Running while the job runs
  std::string error() const;        // the failure's message (Failed only)
  std::exception_ptr exception() const;  // the failure itself, to rethrow
  Progress progress() const;        // the latest progress report
  JobContext& context();

 private:
  friend JobHandle start_job(JobFn fn, JobContext::ProgressFn on_progress, std::string checkpoint_dir);
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

// Starts fn on a new thread. on_progress is called on that thread (a GUI forwards it
// to its own thread, e.g. through a queued signal).
JobHandle start_job(JobFn fn, JobContext::ProgressFn on_progress = {}, std::string checkpoint_dir = "");

}  // namespace ps::jobs
