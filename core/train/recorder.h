// The only place in train/ that writes to the experiment store: runs, per-step metrics under
// their logged names, evaluation metrics with CI bounds, predictions, rollout samples, artefacts.
// Metric values that are undefined (NaN) are stored as NULL, never 0.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "train/evaluate.h"

namespace ps::train {

class Recorder {
 public:
  // A new run of `kind` ("sft", "grpo", "eval", "pipeline") with its configuration.
  Recorder(store::Store& st, const std::string& kind, const std::string& name, const nlohmann::json& config);
  // Takes back an existing run (resume): status running, metrics and rollout samples after
  // `resume_step` dropped, predictions dropped (they come from the final evaluation, which is redone).
  Recorder(store::Store& st, int64_t run_id, int64_t resume_step);
  ~Recorder();  // no longer the active run (active_run() below)
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  int64_t run_id() const { return run_; }
  store::Store& store() { return st_; }
  // <folder of the store>/runs/<id>: checkpoints, model, adapter, item sets.
  std::string run_dir() const;

  void log(int64_t step, const std::vector<std::pair<std::string, double>>& values);
  // "<prefix>/f1", "<prefix>/f1_ci_lo", ... for every headline metric of an evaluation.
  void log_eval(int64_t step, const std::string& prefix, const EvalResult& r);
  void predictions(const EvalResult& r);          // every item of r as a prediction of this run
  void rollouts(const std::vector<store::RolloutSample>& samples);
  void artefact(const std::string& kind, const std::string& path);  // files only; folders: each file
  void summary(const nlohmann::json& j);
  void finish(store::RunStatus status);
  // Call only inside a catch handler: marks the run cancelled when the exception in flight is
  // jobs::Cancelled, else failed, with the reason (the error's message; "cancelled" for a
  // cancel) kept as the run's status_reason. Never throws (a store that cannot be written must not hide
  // the original error); the caller rethrows.
  void finish_from_exception() noexcept;

 private:
  store::Store& st_;
  int64_t run_ = 0;
};

// The run the newest live Recorder of this process writes (its store file and id), so that a
// job's progress reports can be written to the store for the Runs view (cli/progress.h does);
// nullopt when no Recorder is alive. Thread-safe.
struct ActiveRun {
  std::string store_path;
  int64_t run_id = 0;
};
std::optional<ActiveRun> active_run();

// The runs folder beside a store file.
std::string runs_root(const store::Store& st);
// Creates a run's folder (and runs/); ps::Error naming it with the OS's reason when it cannot.
void create_run_dir(const std::string& dir);

}  // namespace ps::train
