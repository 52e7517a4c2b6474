// The Train tab: forms for SFT, GRPO, pipeline, sweep, evaluation (eval) and test-time compute
// (ttc) runs, started as `perturbscope-cli` child processes (train_job.h). A form is built from a
// preset of configs/ (its "kind" picks the form):
//   - sft, grpo, pipeline, sweep: the JSON the core config structs read and write
//     (core/train/config.h): one group per section, one field per value, tooltips from the config
//     headers' comments; a sweep is a pipeline (or GRPO) config plus its "grid" of GRPO knobs.
//   - eval, ttc: the command's options as JSON (cli/args.h, read_config: keys are the long option
//     names with '_'), grouped and documented by the CLI's own option table (generated at configure
//     time, cmake/CliOptionDocs.cmake); null = the option's default (an empty field). The "run"
//     field offers the store's finished sft and grpo runs.
// Validation runs `perturbscope-cli <kind> --config F --validate` in the background (torch stays
// out of the GUI; the core's validate() and the CLI's checks) and shows the message beside the
// field it names. Start writes the config beside the store (launches/<kind>-<time>.json) and runs
// it; cancel sends SIGINT; resume runs `--resume RUN` (sft and grpo only: the other commands have
// no --resume, and the button says why). Progress comes from the child's progress lines.
#pragma once
#include <QMap>
#include <QWidget>
#include <nlohmann/json.hpp>

class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QVBoxLayout;

namespace ps::gui {

class TrainJob;

class TrainLauncher : public QWidget {
  Q_OBJECT
 public:
  TrainLauncher(const QString& store_path, QWidget* parent = nullptr);

  // The kind ("sft", "grpo", "pipeline", "sweep", "eval", "ttc") and its config: loads the form.
  void set_config(const QString& kind, const nlohmann::json& config);
  nlohmann::json config() const;  // what the fields say (types as in the preset)
  QString kind() const;
  QWidget* field(const QString& path) const;  // the editor of a JSON path ("optim.lr")
  QStringList field_paths() const;
  QMap<QString, QString> errors() const;  // path ("" = general) -> message shown
  void set_cli(const QString& cli) { cli_ = cli; }

  QComboBox* presets() const { return presets_; }
  QComboBox* kinds() const { return kind_; }
  // Whether `perturbscope-cli KIND` has --resume (sft, grpo); "" otherwise, else why not.
  static QString why_not_resumable(const QString& kind);
  QPushButton* start_button() const { return start_; }
  QPushButton* cancel_button() const { return cancel_; }
  QPushButton* resume_button() const { return resume_; }
  QSpinBox* resume_run() const { return resume_run_; }
  QProgressBar* progress() const { return progress_; }
  QPlainTextEdit* log() const { return log_; }
  TrainJob* job() const { return job_; }

 public slots:
  void validate();   // background; emits validated
  bool start();      // writes the config and starts the child; false when busy or it cannot start
  bool resume();     // `--resume RUN` of the run in resume_run()
  void cancel();
  // Looks in the store for a running run of a kind this tab starts (sft, grpo, sweep, eval, ttc;
  // a pipeline's runs are sft and grpo runs) whose process is alive on this machine and follows
  // the newest (cancel works on it); the constructor calls it.
  void reattach();
  // Fills the "run" field of an eval/TTC form with the store's finished sft and grpo runs that
  // trained a policy (background; emits runs_listed).
  void refresh_runs();

 signals:
  void validated(bool ok);
  void run_started(qint64 run_id);  // the child's store run exists
  void job_ended(const QString& status);
  void runs_listed(int count);

 private:
  void load_presets();
  void build_form(const nlohmann::json& config);
  void add_fields(QFormLayout* form, const nlohmann::json& j, const QString& prefix);
  void build_option_form(QVBoxLayout* v, const nlohmann::json& config);  // eval, ttc
  void add_row(QFormLayout* form, const QString& path, const QString& label, const nlohmann::json& value,
               const QString& doc, const QString& option_kind);
  void update_buttons(bool running);
  void show_errors(const QString& stderr_text);
  bool launch(const QStringList& args, const QString& stem);
  void follow(TrainJob* job);  // wires a job's signals to the progress widgets
  QString launch_dir() const;

  QString store_path_;
  QString cli_;
  QComboBox* kind_;
  QComboBox* presets_;
  QScrollArea* scroll_;
  QWidget* form_page_ = nullptr;
  QLabel* general_error_;
  QPushButton* validate_;
  QPushButton* start_;
  QPushButton* cancel_;
  QPushButton* resume_;
  QSpinBox* resume_run_;
  QProgressBar* progress_;
  QLabel* message_;
  QPlainTextEdit* log_;
  nlohmann::json base_;  // the preset the form was built from
  QMap<QString, QWidget*> fields_;
  QMap<QString, QLabel*> error_labels_;
  QList<QPair<qint64, QString>> policy_runs_;  // the store's sft/grpo runs with a policy (refresh_runs)
  TrainJob* job_ = nullptr;
};

}  // namespace ps::gui
