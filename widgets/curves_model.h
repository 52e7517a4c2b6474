// Live training curves: every metric series of any number of runs, kept current while the
// runs write. A MetricsPoller on its own thread reads only the points logged since its last
// poll (store::Store::metrics_after, per series) and hands them to the CurvesModel on the GUI
// thread through a queued signal; the model appends them and says which series grew.
//
// Series: run id -> metric name -> points (step, value) by step; NaN (NULL) values are kept
// so a gap stays a gap. Wall time of a point: the run's cumulative "step_time" (seconds, logged
// by SFT and GRPO at each optimisation step: the duration of that step) up to its step.
// Smoothing: exponential moving average with TensorBoard's debiasing,
//   s_t = w s_{t-1} + (1 - w) x_t,  s_0 = 0,  shown value s_t / (1 - w^(n_t))
// where n_t counts the finite points so far (NaN points are skipped, their output is NaN).
#pragma once
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QThread;

namespace ps::store {
class Store;
}

namespace ps::gui {

struct SeriesPoints {
  std::vector<double> steps;
  std::vector<double> values;  // NaN where the store holds NULL
};

// What one poll found: per run, per series, the new points; `reset` runs are sent whole
// (first read, or the run lost points: a resumed job dropped the steps after its checkpoint).
struct MetricsDelta {
  std::map<int64_t, std::map<std::string, SeriesPoints>> points;
  QSet<qint64> reset;
  QString error;  // the store could not be read (the poll is retried)
};

// EMA with debiasing (formula above) of `values`; weight in [0, 1).
std::vector<double> ema_smooth(const std::vector<double>& values, double weight);

// Seconds since the run's first step at each of `steps`, from the run's step_time series
// (cumulative sum up to and including that step); empty when the run logged no step_time.
std::vector<double> wall_times(const SeriesPoints& step_time, const std::vector<double>& steps);

// Reads the new points; lives on its own thread and owns its own Store connection there.
class MetricsPoller : public QObject {
  Q_OBJECT
 public:
  explicit MetricsPoller(QString store_path);
  ~MetricsPoller() override;

 public slots:
  // Reads runs' points logged since the last poll of each series; emits polled().
  void poll(const QList<qint64>& runs);

 signals:
  void polled(const ps::gui::MetricsDelta& delta);

 private:
  QString path_;
  std::unique_ptr<ps::store::Store> store_;
  int64_t last_change_ = -1;
  QList<qint64> last_runs_;
  struct RunState {
    std::map<std::string, int64_t> last_step;  // per series
    int64_t count = 0;                          // points read so far
    bool seen = false;                          // read at least once
  };
  std::map<int64_t, RunState> state_;
};

class CurvesModel : public QObject {
  Q_OBJECT
 public:
  explicit CurvesModel(const QString& store_path, QObject* parent = nullptr);
  ~CurvesModel() override;  // stops the poller thread

  // The runs whose curves are kept (any number); polling starts at once.
  void set_runs(const QList<qint64>& runs);
  QList<qint64> runs() const { return runs_; }
  void set_poll_interval(int ms);
  void poll_now();  // one poll now (unless one is in flight)

  const std::map<std::string, SeriesPoints>& series(qint64 run) const;
  // Every metric name any of the runs logged, sorted.
  QStringList metric_names() const;
  int64_t point_count() const;  // all points held
  int polls_done() const { return polls_done_; }
  QString last_error() const { return last_error_; }

 signals:
  // New points arrived: the runs and series that grew (reset: re-read whole).
  void changed(const QSet<qint64>& runs, const QSet<QString>& names, bool names_added, const QSet<qint64>& reset);

 private:
  void on_polled(const MetricsDelta& delta);

  QString path_;
  QList<qint64> runs_;
  std::map<int64_t, std::map<std::string, SeriesPoints>> data_;
  QThread* thread_;
  MetricsPoller* poller_;
  QTimer timer_;
  bool in_flight_ = false;
  int polls_done_ = 0;
  QString last_error_;
};

}  // namespace ps::gui

Q_DECLARE_METATYPE(ps::gui::MetricsDelta)
