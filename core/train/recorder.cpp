#include "train/recorder.h"

#include <cmath>
#include <filesystem>
#include <mutex>

#include "common/error.h"
#include "jobs/job.h"

namespace fs = std::filesystem;

namespace ps::train {

std::string runs_root(const store::Store& st) {
  fs::path p = fs::absolute(st.path()).parent_path() / "runs";
  return p.string();
}

void create_run_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(where(dir, 0, "cannot create the run folder: " + ec.message()));
}

namespace {
std::mutex g_active_mu;
std::optional<ActiveRun> g_active;
void set_active(const store::Store& st, int64_t run) {
  std::lock_guard<std::mutex> lock(g_active_mu);
  g_active = ActiveRun{fs::absolute(st.path()).string(), run};
}
}  // namespace

std::optional<ActiveRun> active_run() {
  std::lock_guard<std::mutex> lock(g_active_mu);
  return g_active;
}

Recorder::Recorder(store::Store& st, const std::string& kind, const std::string& name, const nlohmann::json& config)
    : st_(st), run_(st.create_run(kind, name, config.dump())) {
  set_active(st_, run_);
}

Recorder::Recorder(store::Store& st, int64_t run_id, int64_t resume_step) : st_(st), run_(run_id) {
  if (!st.get_run(run_id)) throw Error(st.path() + ": no run with id " + std::to_string(run_id));
  st.reopen_run(run_id);
  st.delete_metrics_after(run_id, resume_step);
  st.delete_predictions(run_id);  // the final evaluation is redone
  set_active(st_, run_);
}

Recorder::~Recorder() {
  std::lock_guard<std::mutex> lock(g_active_mu);
  if (g_active && g_active->run_id == run_) g_active.reset();
}

std::string Recorder::run_dir() const { return (fs::path(runs_root(st_)) / std::to_string(run_)).string(); }

void Recorder::log(int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  std::vector<store::MetricPoint> pts;
  pts.reserve(values.size());
  for (const auto& [n, v] : values) pts.push_back({step, n, v});  // NaN -> NULL in the store
  st_.log_metrics(run_, pts);
}

void Recorder::log_eval(int64_t step, const std::string& prefix, const EvalResult& r) {
  const auto& s = r.summary;
  const bool cis = s.bootstrap_resamples > 0;  // else the bounds are undefined: NULL, never 0
  auto lo = [&](const metrics::Interval& i) { return cis ? i.lo : NAN; };
  auto hi = [&](const metrics::Interval& i) { return cis ? i.hi : NAN; };
  log(step, {{prefix + "/parse_rate", r.parse_rate},
             {prefix + "/f1", s.at_threshold.f1},
             {prefix + "/f1_ci_lo", lo(s.f1_ci)},
             {prefix + "/f1_ci_hi", hi(s.f1_ci)},
             {prefix + "/brier", s.brier},
             {prefix + "/brier_ci_lo", lo(s.brier_ci)},
             {prefix + "/brier_ci_hi", hi(s.brier_ci)},
             {prefix + "/ece", s.ece},
             {prefix + "/ece_ci_lo", lo(s.ece_ci)},
             {prefix + "/ece_ci_hi", hi(s.ece_ci)},
             {prefix + "/auroc_per_gene", s.auroc_per_gene},
             {prefix + "/auroc_per_gene_ci_lo", lo(s.auroc_per_gene_ci)},
             {prefix + "/auroc_per_gene_ci_hi", hi(s.auroc_per_gene_ci)},
             {prefix + "/tokens_per_item", r.tokens_per_item}});
}

void Recorder::finish_from_exception() noexcept {
  store::RunStatus status = store::RunStatus::Failed;
  std::string reason;
  try {
    throw;
  } catch (const jobs::Cancelled&) {
    status = store::RunStatus::Cancelled;
    reason = "cancelled";
  } catch (const std::exception& e) {
    reason = e.what();
  } catch (...) {
    reason = "unknown error";
  }
  try {
    st_.set_status(run_, status, reason);
  } catch (...) {
  }
}

void Recorder::predictions(const EvalResult& r) { store_eval_predictions(st_, run_, r); }

void Recorder::rollouts(const std::vector<store::RolloutSample>& samples) { st_.add_rollouts(run_, samples); }

void Recorder::artefact(const std::string& kind, const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file()) st_.add_artefact(run_, kind, e.path().string());
    return;
  }
  st_.add_artefact(run_, kind, path);
}

void Recorder::summary(const nlohmann::json& j) { st_.set_summary(run_, j.dump()); }

void Recorder::finish(store::RunStatus status) { st_.set_status(run_, status); }

}  // namespace ps::train
