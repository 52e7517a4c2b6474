// The KNN-KG evaluation job that the CLI (`perturbscope-cli knn`) and the GUI's KNN
// launcher both run: per cell line, load the PerturbQA items, carve a validation split
// from train by perturber, fit the calibrator on validation scores (model trained on the
// rest of train), score the test split with the model trained on all of train, and
// compute every metric with bootstrap CIs. Optionally the signed-effect (up/down) task.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "kg/build.h"
#include "kg/knn.h"
#include "metrics/calibrator.h"
#include "metrics/summary.h"

namespace ps::store {
class Store;
enum class RunStatus;
}

namespace ps::kg {

struct CellLineResult;

struct KnnEvalConfig {
  std::string data_dir;                          // "" = ps::require_data()
  std::string cache_dir;                         // graph cache; "" = <user cache>/kg
  std::vector<std::string> cell_lines = {"k562"};  // or a single label for --csv
  KnnConfig knn;
  std::string csv;                               // evaluate this PerturbQA-format file instead
  std::string train_split = "train", test_split = "test";
  double val_fraction = 0.2;                     // of train perturbers, for the calibrator
  uint64_t seed = 7;                             // validation split and bootstrap
  std::string calibration = "isotonic";          // isotonic | platt | none
  double threshold = 0.5;                        // for F1 at a fixed threshold
  int bootstrap = 1000;
  int threads = 2;
  bool signed_effect = true;                     // also the up/down task (official files only)
  bool keep_predictions = true;                  // per-item predictions with evidence traces
  bool compare_baseline = false;                 // also the plain STRING top-k KNN, paired per gene
  KnnConfig baseline_knn;                        // with compare_old_default: the predictor compared against
  bool compare_old_default = false;              // compare with baseline_knn instead of STRING top-k
  std::string baseline_name = "old_default";     // its JSON key: "baseline_" + this
  // Cross-cell-line evidence: the other three lines' labels (all their items) join as extra
  // features (KnnModel's other_lines); the evaluated line's items never do. The baseline never gets them.
  bool cross_line_evidence = false;
  // Hold-outs beside the official split (kg/holdout.h); official files only, not with csv.
  std::string holdout_cell_line;                 // "": off; a line: train on the other three, test its test items
  double unseen_target_fraction = 0;             // > 0: this fraction of train targets is the test set
  // Called on the evaluating thread when cell line `index` (of cell_lines) starts, before its items
  // are loaded and before the job checks for a cancel, e.g. to show a running run for it.
  std::function<void(const std::string& cell_line, size_t index)> on_cell_start;
  // Called on the evaluating thread once the line's items are loaded and accepted (both splits
  // present, enough train perturbers for the model and a validation carve for the calibrator),
  // before any model is fitted: an error before it is a refused input, after it a failed computation.
  std::function<void(const std::string& cell_line, size_t index)> on_cell_inputs_ready;
  // Called on the evaluating thread as soon as a cell line's result is complete (before the
  // next cell line starts), e.g. to store it so that a later cancel or failure keeps it.
  std::function<void(const CellLineResult&)> on_cell_done;
  std::string to_json() const;
  // Throws ps::Error naming the first bad field (run_knn_evaluation calls it before any work):
  // knn.validate() (KnnConfig's rules), val_fraction in (0, 1); threshold in [0, 1];
  // bootstrap >= 0; threads >= 1 (clamped to ps::max_threads() when run); a cell line given;
  // baseline_knn's rules when compared against; unseen_target_fraction in [0, 1).
  void validate() const;
};

struct KnnItemPrediction {
  std::string perturber, target;
  int label = 0;
  double score = 0;        // raw KNN score
  double probability = 0;  // calibrated P(DE)
  std::string trace;       // votes and estimates, one line
};

struct SignedResult {
  bool evaluated = false;
  int64_t n_test = 0;
  double sign_accuracy = 0;      // P(up) >= 0.5 matches the observed direction
  double majority_accuracy = 0;  // always predicting train's majority direction
  double auroc_per_gene = 0;     // PerturbQA's direction metric
  metrics::Interval sign_accuracy_ci;
};

// The plain STRING-only KNN (top-k voters, no target neighbourhood, no strength term) on
// the same items, and the paired per-gene AUROC difference with a gene-level bootstrap CI.
struct BaselineComparison {
  bool evaluated = false;
  bool old_default = false;           // the baseline is KnnEvalConfig::baseline_knn (the old default)
  std::string name = "string_only";   // JSON key "baseline_<name>"
  double auroc_per_gene = 0;          // of the baseline
  double difference = 0;              // ours - baseline, mean over the same genes
  metrics::Interval difference_ci;
};

struct CellLineResult {
  std::string cell_line;
  int64_t n_train = 0, n_val = 0, n_test = 0;
  int64_t unseen_targets = 0;         // test targets without train labels
  std::string setting = "official";   // official | cross-cell-line (train: the other lines) | unseen-targets
                                      // | cross-line-evidence
  std::string calibration_split;      // the validation carve: "perturber" or "target"
  std::vector<std::string> unresolved;  // symbols not resolved through gene_alias.tsv
  std::vector<std::string> kept_distinct;  // aliases not followed: they would merge two genes of the file
  double val_auroc_per_gene = 0;      // of the validation model (what was tuned on)
  metrics::BinarySummary summary;     // test, calibrated probabilities
  std::string calibrator_json;
  SignedResult sign;
  BaselineComparison baseline;
  std::vector<KnnItemPrediction> predictions;
  double seconds = 0;
  std::string to_json() const;        // the CLI's object (without predictions)
};

struct KnnEvalResult {
  std::vector<CellLineResult> cells;
  double graph_seconds = 0;
  bool graph_from_cache = false;
  double seconds = 0;
  std::string to_json() const;  // one cell: its object; several: {"cells":[...],"seconds":..}
};

// Loads the graph (cache) itself. Reports progress; throws ps::jobs::Cancelled when cancelled
// (checked between the stages of a cell line and when the next one starts; a cancel after the
// last cell line's result is complete does not discard the results).
KnnEvalResult run_knn_evaluation(const KnnEvalConfig& cfg, ps::jobs::JobContext& ctx);
// With a graph the caller already holds (the GUI keeps one loaded).
KnnEvalResult run_knn_evaluation(const KnnEvalConfig& cfg, const KnowledgeGraph& graph, ps::jobs::JobContext& ctx);

// One store run per cell line (kind "knn", name "knn k562 k=20 string:1,go:1,reactome:2"):
// config, summary metrics and, when kept, per-item predictions with traces. Returns run ids.
// Undefined metrics (NaN: e.g. AUROC when every label is 0) are stored as SQL NULL, never 0.
std::vector<int64_t> store_knn_runs(ps::store::Store& store, const KnnEvalConfig& cfg, const KnnEvalResult& result);
// The same for one cell line (store_knn_runs calls it per cell); returns the run id.
int64_t store_knn_run(ps::store::Store& store, const KnnEvalConfig& cfg, const CellLineResult& cell);
// The evaluation with the store kept in step, one run per cell line (the unit of work): what the
// CLI's `knn` and the GUI's KNN launcher run.
//  - A cell line's run is created (status running, owned by this process: store.h) when its
//    evaluation starts (the first line's at once, before the graph is loaded) and carries the
//    job's progress within that line (Store::set_progress: fraction of the line in [0, 1] and the
//    job's message), so viewers polling the store show running rows.
//  - When the line is done its run is filled as store_knn_run fills it (same config, summary,
//    metrics, predictions; status finished) before the next line starts, so a later cancel or
//    failure keeps it.
//  - Cancelled (ps::jobs::Cancelled) or failed (any exception): the line that was running is
//    marked Cancelled with `cancel_reason + " during <cell line>"`, or Failed with the error's
//    message, its summary as record_unfinished_knn_run writes it; lines after it get no run. A
//    line whose inputs are refused (an error before on_cell_inputs_ready: a bad or missing file,
//    too few train perturbers; also a graph that cannot be loaded) leaves no run: its run is
//    deleted, and the error (naming the file) is the whole story. The exception then propagates
//    unchanged.
// The results (and the stored metrics) are exactly those of run_knn_evaluation. `graph`: the
// caller's loaded graph, or nullptr to load it (the first overload). cfg's own on_cell_start,
// on_cell_inputs_ready and on_cell_done are called too (after the store is updated). cfg.validate() runs first: a bad
// configuration throws ps::Error before any run is created. `runs` is filled as the job goes, so
// after an exception it names what was kept. The store must be used by this thread only.
struct KnnStoredRuns {
  std::vector<int64_t> finished;      // runs of the finished cell lines, in cell_lines order
  int64_t unfinished = 0;             // the run marked cancelled or failed; 0 when none (or refused input)
  std::string unfinished_cell_line;   // its cell line; "" when none
};
KnnEvalResult run_and_store_knn_evaluation(const KnnEvalConfig& cfg, const KnowledgeGraph* graph,
                                           ps::store::Store& store, ps::jobs::JobContext& ctx, KnnStoredRuns& runs,
                                           const std::string& cancel_reason = "cancelled by the user");

// A run for a cell line whose evaluation did not finish (status Cancelled or Failed), so that a
// stopped job leaves a trace: config, and summary {"status": ..., "message": ...}; the message is
// also the run's status_reason (store.h). Returns its id.
int64_t record_unfinished_knn_run(ps::store::Store& store, const KnnEvalConfig& cfg, const std::string& cell_line,
                                  ps::store::RunStatus status, const std::string& message = "");

}  // namespace ps::kg
