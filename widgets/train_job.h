// A job run as a `perturbscope-cli sft|grpo|pipeline|sweep|eval|ttc` child process, so torch stays
// out of the GUI and a crash of either side loses nothing. The child is started detached: it
// keeps running when the window closes (its run stays in the store, where the Runs and Curves
// views find it again). Its stderr goes to a log file beside the config it ran, written with
// PERTURBSCOPE_PROGRESS=lines; the job tails that file for progress lines
//   "<title>: 42.0% (ETA 3m05s) step 12/200  loss 1.234"
// and finds its store run with find_child_run() (the child's pid, created since the job started,
// of the job's kind when there is one: a sweep's group run, not the SFT run it starts). cancel() sends SIGINT,
// which the CLI turns into a cooperative cancel (the run is recorded as cancelled and can be
// resumed with `--resume RUN`).
#pragma once
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace ps::gui {

struct ProgressLine {
  double fraction = 0;  // [0, 1]
  QString message;      // what follows the percentage (and the ETA), e.g. "step 12/200  loss 1.234"
};
// Parses one line of the CLI's progress output; nullopt when it is not a progress line.
std::optional<ProgressLine> parse_progress_line(const QString& line);

// The perturbscope-cli executable: $PERTURBSCOPE_CLI, else beside this executable (or one folder
// up, the build tree's app/), else on PATH; "" when none is found.
QString find_cli();
// The folder of presets: $PERTURBSCOPE_CONFIGS, else configs/ beside or above this executable,
// else the installed share/perturbscope/configs; "" when none is found.
QString find_configs_dir();

// The store run of a child process `pid` started at `started` (UTC), among `runs` (newest first,
// as Store::list_runs gives them); 0 when there is none yet. Only runs of that pid created at or
// after `started` less 1 s (the store's created_at, ISO 8601 UTC, against this clock) count: an
// old run of a pid the system has reused never matches (an eval or ttc child needs ~10 s before
// it writes its own run). Of those, the newest of kind `kind`; when there is none and `kind` has
// runs of its own ("sweep", "eval", "ttc": wait for it), 0; otherwise (a pipeline, whose stages
// are sft and grpo runs) the newest of the child's runs. An invalid `started` (a job attached
// without its start time) drops the time condition. `resumed` (> 0: the job is `--resume
// RESUMED`) is the run the child continues: it counts whatever its created_at.
qint64 find_child_run(const std::vector<ps::store::Run>& runs, qint64 pid, const std::string& kind,
                      const QDateTime& started, qint64 resumed = 0);

class TrainJob : public QObject {
  Q_OBJECT
 public:
  // `cli`: the executable; `store_path`: the store the child writes (passed as --store).
  TrainJob(QString cli, QString store_path, QObject* parent = nullptr);
  ~TrainJob() override;  // the child keeps running

  // Starts `perturbscope-cli <args...> --store STORE` with stderr into `log_path`; false (and
  // error()) when it cannot start.
  bool start(const QStringList& args, const QString& log_path);
  // Follows a job started earlier (by another window or session, or from the CLI): its process
  // and store run; no log. The GUI reattaches this way to a job that outlived its window.
  void attach(qint64 pid, qint64 run_id);
  void cancel();  // SIGINT to the child
  bool running() const;
  qint64 pid() const { return pid_; }
  qint64 run_id() const { return run_id_; }  // 0 until the child has created its run
  QString error() const { return error_; }
  QString log_path() const { return log_path_; }
  QString log_text() const { return log_; }
  void set_poll_interval(int ms) { timer_.setInterval(ms); }
  // The command ("sweep", "eval", ...): the store run of that kind is the job's run.
  void set_kind(const QString& kind) { kind_ = kind; }
  QString kind() const { return kind_; }

 signals:
  void progressed(double fraction, const QString& message);
  void run_found(qint64 run_id);
  void log_appended(const QString& text);
  void ended(const QString& status);  // the run's final status ("finished", "cancelled", "failed", ...) or "exited"

 private:
  void poll();

  QString cli_, store_path_, log_path_, error_, log_, kind_;
  qint64 pid_ = 0, run_id_ = 0, log_offset_ = 0;
  QDateTime started_;  // UTC, when start() started the child; invalid for an attached job
  qint64 resumed_ = 0;  // the run of `--resume RUN` in start()'s args, else 0
  bool finding_ = false;
  bool done_ = false;
  QTimer timer_;
};

}  // namespace ps::gui
