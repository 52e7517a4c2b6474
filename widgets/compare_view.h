// The Compare tab: any number of runs (two or more) side by side on the items they were all
// scored on (metrics/run_comparison.h, with ItemSets::Intersect): their reliability diagrams
// overlaid (reliability_plot.h; one colour per run, dashed after the sixth, the legend naming each
// run with ECE, Brier and n), and CompareModel's table of each run's F1, Brier, ECE, per-gene
// AUROC with 95 % CIs, parse rate and n, then the paired differences against the baseline run
// (the first run given unless the user picks another). When the runs were scored on different
// item sets the view says so above the table (how many items were kept, how many each run lost).
//
// Reading the store and the bootstrap run on a worker thread (async.h): the GUI thread never
// waits for them. A baseline switch recomputes from the predictions already read. Only the newest
// request's result is shown. Copy puts the table on the clipboard as CSV; Export writes it as a
// CSV file (export.h), or the figure as PNG/SVG/PDF.
#pragma once
#include <QList>
#include <QWidget>
#include <memory>
#include <vector>

#include "metrics/run_comparison.h"
#include "reliability_model.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableView;

namespace ps::gui {

class CompareModel;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(const QString& store_path, QWidget* parent = nullptr);

  CompareModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QCustomPlot* plot() const { return plot_; }
  QComboBox* baseline_box() const { return baseline_; }
  QLabel* message() const { return message_; }  // item sets, progress or an error
  QList<qint64> runs() const { return ids_; }
  const std::vector<ReliabilityCurve>& curves() const { return curves_; }
  bool busy() const { return busy_; }
  // The bootstrap resamples of every CI (default 1000, as `perturbscope-cli compare`).
  void set_resamples(int resamples) { resamples_ = resamples; }

  // The table as CSV text (header first; export.h's rules), as Copy puts it on the clipboard.
  QString csv() const;

 public slots:
  // Reads the runs' predictions and compares them (`ids[0]` is the baseline). Fewer than two
  // ids clear the view.
  void compare(const QList<qint64>& ids);
  void set_baseline(int index);  // index into runs()
  void copy_table();
  void export_csv();
  void export_figure();

 signals:
  void compared();               // the model and the plot show a new result
  void failed(const QString& error);

 private:
  struct Result;
  void start(size_t baseline);
  void show_result(Result result);

  QString store_path_;
  CompareModel* model_;
  QComboBox* baseline_;
  QLabel* message_;
  QCustomPlot* plot_;
  QTableView* table_;
  QList<qint64> ids_;
  std::shared_ptr<const std::vector<ps::metrics::ComparisonInput>> inputs_;  // read once per compare()
  std::vector<ReliabilityCurve> curves_;
  int request_ = 0;
  int resamples_ = 1000;
  bool busy_ = false;
  bool filling_box_ = false;
};

}  // namespace ps::gui
