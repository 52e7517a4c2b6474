// The TTC tab: a test-time-compute run's cost/quality points. Left, the Pareto plot
// (pareto_plot.h) of the chosen metric (F1, Brier or ECE) against mean generated tokens per item
// for every strategy and tau, with the run's operating point ringed (ttc_model.h gives the rule);
// right, the table of the same points (TtcModel: n, F1 [95 % CI], Brier, ECE, tokens/item).
// Clicking a point of the plot (within 12 px) or activating a table row emits point_activated
// with the predictions that point stands for (TtcSelection); the main window opens them in the
// Traces tab. The run is read from the store on a worker thread (async.h); the view only draws.
#pragma once
#include <QList>
#include <QPair>
#include <QWidget>

#include "ttc_model.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QStackedWidget;
class QTableView;
class QSortFilterProxyModel;

namespace ps::gui {

class TtcView : public QWidget {
  Q_OBJECT
 public:
  explicit TtcView(const QString& store_path, QWidget* parent = nullptr);

  TtcModel* model() const { return model_; }
  QCustomPlot* plot() const { return plot_; }
  QTableView* table() const { return table_; }
  QComboBox* run_box() const { return runs_; }
  QComboBox* metric_box() const { return metric_; }
  QLabel* empty_hint() const { return hint_; }
  ParetoMetric metric() const;

  // Where point `row` of the model is drawn, in plot widget pixels; (-1, -1) when it is not drawn
  // (undefined tokens or metric).
  QPoint point_position(int row) const;
  // The model row of the drawn point nearest to `pos` (plot widget pixels) within 12 px, else -1.
  int point_at(const QPoint& pos) const;

 public slots:
  // The TTC runs to choose from (id, label), newest first; keeps the open run when still offered.
  void set_available_runs(const QList<QPair<qint64, QString>>& runs);
  void open_run(qint64 run_id);  // reads it in the background; emits loaded()
  void set_metric(ps::gui::ParetoMetric metric);
  void activate(int row);        // selects the row and emits point_activated
  void export_figure();

 signals:
  void loaded(qint64 run_id);
  void point_activated(const ps::gui::TtcSelection& selection);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void redraw();
  void update_hint();

  QString path_;
  TtcModel* model_;
  QComboBox* runs_;
  QComboBox* metric_;
  QCustomPlot* plot_;
  QTableView* table_;
  QLabel* note_;
  QLabel* hint_;
  QStackedWidget* stack_;
  QString error_;  // why the open run shows no points
  int request_ = 0;
};

}  // namespace ps::gui
