// The experiment store: one SQLite file (WAL mode, foreign keys on, schema version
// with migrations) that every job writes and every view reads. The CLI and the GUI
// open the same file, so a run started in one shows up in the other.
//
// Ownership: a Store owns its sqlite3 connection; it is movable, not copyable, and
// not shared between threads (open one Store per thread on the same path).
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ps::store {

enum class RunStatus { Running, Finished, Failed, Cancelled, Interrupted };
std::string to_string(RunStatus s);
RunStatus run_status_from_string(const std::string& s);  // throws ps::Error on unknown text

struct Run {
  int64_t id = 0;
  std::string kind;          // "knn", "sft", "grpo", "eval", ...
  std::string name;          // free text shown in the GUI, e.g. "knn k562 k=20"
  std::string config_json;   // the full configuration of the job
  RunStatus status = RunStatus::Running;
  std::string created_at;    // ISO 8601 UTC
  std::string updated_at;
  std::string finished_at;   // empty while running
  std::string git_describe;  // the build that ran it
  int64_t pid = 0;           // process that owns a running run (for interruption detection)
  std::string summary_json;  // headline metrics, e.g. {"auroc_per_gene":0.68,...}
  std::string notes;         // the user's free text ("" when none)
  std::vector<std::string> tags;  // the user's tags, trimmed, unique, in the order given
  std::string status_reason; // why a run failed or was cancelled (the error message); "" otherwise
  double progress = NAN;     // a running job's fraction done in [0, 1]; NaN when it reported none
  std::string progress_message;  // what the job said with its last progress, e.g. "step 12/200"
};

struct MetricPoint {
  int64_t step = 0;
  std::string name;
  double value = 0;
};

struct Prediction {
  std::string item_key;      // "k562|PERT|GENE"
  std::string cell_line;
  std::string perturber;
  std::string target;
  int label = -1;            // 0/1, -1 when unknown
  double prediction = 0;     // predicted class (0/1) or score
  double confidence = 0;     // probability of the DE class, in [0,1]
  int64_t tokens = 0;        // tokens spent (LLM predictors), 0 otherwise
  std::string trace;         // reasoning trace or evidence summary
  int ttc_round = 0;
  std::string prompt;        // the prompt text (LLM predictors)
  std::string parse_failure; // "" when parsed; else answer_parser.h's reason name
  std::string details_json = "{}";  // anything else per item (TTC rounds, finish reason, KNN components)
};

// One GRPO completion of a step, kept for the trace review (a sample of each step's rollouts).
struct RolloutSample {
  int64_t step = 0;
  int64_t group_index = 0;   // which prompt of the step
  int64_t sample_index = 0;  // which of its K completions
  std::string item_key;
  int label = -1;
  std::string prompt, completion;
  double reward = 0, advantage = 0;
  std::string parts_json = "{}";  // reward parts by name, parse failure, tokens
};

struct Artefact {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string kind;          // "checkpoint", "figure", "adapter", ...
  std::string path;
  std::string sha256;
  int64_t bytes = 0;
  std::string created_at;
};

class Store {
 public:
  // Opens or creates the file. Throws ps::Error naming the path when it is not a
  // SQLite database, has a newer schema than this build, or cannot be written.
  // Runs marked running whose process is gone are marked interrupted.
  explicit Store(const std::string& path);
  ~Store();
  Store(Store&& other) noexcept;
  Store& operator=(Store&& other) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  static int schema_version();  // the version this build writes

  int64_t create_run(const std::string& kind, const std::string& name, const std::string& config_json);
  // `reason`: why a run failed or was cancelled (kept as status_reason; "" clears it).
  void set_status(int64_t run_id, RunStatus status, const std::string& reason = "");
  // The user's edits of a run. Unknown run: ps::Error. Tags are trimmed; empty and repeated ones dropped.
  void rename_run(int64_t run_id, const std::string& name);
  void set_notes(int64_t run_id, const std::string& notes);
  void set_tags(int64_t run_id, const std::vector<std::string>& tags);
  // A running job's progress: fraction in [0, 1] or NaN (unknown), and its message (ps::Error
  // for a fraction outside [0, 1] or an unknown run). reopen_run clears it and the status reason.
  void set_progress(int64_t run_id, double fraction, const std::string& message);
  // A resumed job takes its run back: status running, owned by this process.
  void reopen_run(int64_t run_id);
  // Drops metric points and rollout samples logged after `step` (a resumed job redoes them).
  void delete_metrics_after(int64_t run_id, int64_t step);
  // Drops every prediction of a run (a resumed training job redoes its final evaluation, which
  // would otherwise store each item twice).
  void delete_predictions(int64_t run_id);
  void set_summary(int64_t run_id, const std::string& summary_json);
  std::vector<Run> list_runs() const;                 // newest first
  std::optional<Run> get_run(int64_t run_id) const;
  void delete_run(int64_t run_id);

  void log_metric(int64_t run_id, int64_t step, const std::string& name, double value);
  void log_metrics(int64_t run_id, const std::vector<MetricPoint>& points);  // one transaction
  std::vector<MetricPoint> metrics(int64_t run_id, const std::string& name = "") const;
  std::vector<std::string> metric_names(int64_t run_id) const;
  // The points of one series with step > after_step, by step (a live view's incremental read:
  // a range scan of the (series, step) key, so the cost is the new points only). Unknown
  // run or name: empty. NULL values read as NaN.
  std::vector<MetricPoint> metrics_after(int64_t run_id, const std::string& name, int64_t after_step) const;

  void add_predictions(int64_t run_id, const std::vector<Prediction>& preds);  // one transaction
  std::vector<Prediction> predictions(int64_t run_id) const;

  void add_rollouts(int64_t run_id, const std::vector<RolloutSample>& samples);  // one transaction
  std::vector<RolloutSample> rollouts(int64_t run_id, int64_t step = -1) const;  // step < 0: all

  int64_t add_artefact(int64_t run_id, const std::string& kind, const std::string& path);  // computes sha256 + size
  std::vector<Artefact> artefacts(int64_t run_id) const;

  // A monotonically increasing number that changes whenever any connection
  // commits (PRAGMA data_version + own writes); the GUI polls it to refresh.
  int64_t change_counter() const;

  // Marks runs still 'running' whose process is gone (no such pid on this host,
  // a zombie, or a pid reused by a newer process) as interrupted; returns how many.
  // The constructor calls it; a viewer may call it again to notice killed runs.
  int64_t mark_interrupted_runs();

  // Number of metric points of a run (all series).
  int64_t metric_count(int64_t run_id) const;

 private:
  struct Cache;  // prepared statements and metric-series ids, reused across calls
  sqlite3_stmt* prepare(const char* sql) const;
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what) const;
  void open_and_migrate();
  int64_t series_id(int64_t run_id, const std::string& name);
  void touch_run(int64_t run_id);
  // UPDATE runs SET <column>=value, updated_at=now for one run; `what` names it in errors
  // ("the notes"); ps::Error when the run does not exist.
  void set_run_text(const char* column, int64_t run_id, const std::string& value, const std::string& what);

  std::string path_;
  sqlite3* db_ = nullptr;
  int64_t own_writes_ = 0;
  std::unique_ptr<Cache> cache_;
};

}  // namespace ps::store
