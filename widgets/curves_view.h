// The Curves tab: live training curves of any number of runs (CurvesModel polls the store on
// its own thread). Left: the runs (checkable, any number overlaid) and every metric they log,
// filtered by a search field; each checked metric is one panel (two columns). Each panel draws
// per run the EMA-smoothed curve over the raw one kept faint, and for a validation metric
// "<set>/<m>" with "<set>/<m>_ci_lo" and "_ci_hi" series the CI as a band. Log y axis, step or
// wall-time x axis (cumulative step_time, curves_model.h), drag to pan, wheel to zoom,
// double-click to fit, hover shows the values nearest the cursor. Incoming points only update
// the curves' data; the plot replots queued (at most once per event-loop pass).
#pragma once
#include <QMap>
#include <QWidget>
#include <map>

class QCheckBox;
class QMouseEvent;
class QComboBox;
class QCPAxisRect;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QSlider;

namespace ps::gui {

class CurvesModel;

class CurvesView : public QWidget {
  Q_OBJECT
 public:
  enum XAxis { StepAxis, WallTimeAxis };
  explicit CurvesView(CurvesModel* model, QWidget* parent = nullptr);

  CurvesModel* model() const { return model_; }
  QCustomPlot* plot() const { return plot_; }
  QListWidget* metric_list() const { return metrics_; }
  QListWidget* run_list() const { return runs_; }
  QLineEdit* metric_search() const { return search_; }
  QLabel* hover_label() const { return hover_; }

  // The runs offered in the run list (id -> label); checked ones are overlaid.
  void set_available_runs(const QList<QPair<qint64, QString>>& runs);
  void show_runs(const QList<qint64>& runs);  // checks exactly these and polls them
  void set_metrics(const QStringList& metrics);  // checks exactly these (one panel each)
  QStringList checked_metrics() const;
  void set_smoothing(double weight);  // [0, 0.99]
  double smoothing() const;
  void set_log_y(bool on);
  void set_x_axis(XAxis axis);

  int panel_count() const;
  // The graph of a run's smoothed curve in a metric's panel (nullptr if not shown); raw and
  // CI bounds come with it: test and export access.
  QCPGraph* smoothed_graph(const QString& metric, qint64 run) const;
  QCPGraph* raw_graph(const QString& metric, qint64 run) const;
  QCPGraph* band_graph(const QString& metric, qint64 run) const;  // upper bound, filled to the lower
  // The hover text for a point in plot pixels ("" outside every panel).
  QString hover_text(const QPointF& pixel) const;

 public slots:
  void export_figure();  // the panels as PNG/SVG/PDF (export.h), asking for path and size

 private:
  struct Curves {
    QCPGraph* raw = nullptr;
    QCPGraph* smooth = nullptr;
    QCPGraph* lo = nullptr;
    QCPGraph* hi = nullptr;
  };
  struct Panel {
    QString metric;
    QCPAxisRect* rect = nullptr;
    std::map<qint64, Curves> curves;
  };

  void on_model_changed(const QSet<qint64>& runs, const QSet<QString>& names, bool names_added);
  void refresh_metric_list();
  void rebuild();                   // panels and graphs from scratch
  void fit_all();                   // every panel's axes to its data
  void update_data(Panel& panel, qint64 run);  // a panel's graphs of one run from the model
  std::vector<double> keys_of(qint64 run, const std::vector<double>& steps) const;
  void on_mouse_move(QMouseEvent* event);
  QList<qint64> checked_runs() const;
  QString run_label(qint64 run) const;

  CurvesModel* model_;
  QListWidget* runs_;
  QLineEdit* search_;
  QListWidget* metrics_;
  QSlider* smoothing_;
  QLabel* smoothing_value_;
  QCheckBox* log_y_;
  QComboBox* x_axis_;
  QCustomPlot* plot_;
  QLabel* hover_;
  std::vector<Panel> panels_;
  QMap<qint64, QString> run_labels_;
  bool updating_lists_ = false;
  QStringList pending_metrics_;  // asked for before the runs' metric names arrived
  bool auto_fit_ = true;  // until the user zooms or pans, new points rescale the axes
};

// Whether `name` is a CI bound series ("..._ci_lo", "..._ci_hi"), drawn as a band, not a panel.
bool is_ci_bound(const QString& name);

}  // namespace ps::gui
