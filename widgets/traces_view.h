// The Traces tab: review of an LLM run's reasoning. A filterable, sortable table of its
// predictions (TracesModel: quick filters, free-text gene search) and, for the selected item,
// the prompt with its KG evidence, the reasoning trace with the <think> part shown apart from
// the answer, each TTC round apart, and the parsed answer. For a GRPO run a second tab shows
// one step's sampled rollouts side by side (one column per completion) with reward parts and
// advantages. Beside the item: the KNN-KG prediction of the same pair from the store's KNN-KG
// runs. Loading reads the store on a worker thread (async.h).
#pragma once
#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"
#include "ttc_model.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

namespace ps::gui {

class TracesModel;
class TracesFilter;

class TracesView : public QWidget {
  Q_OBJECT
 public:
  explicit TracesView(const QString& store_path, QWidget* parent = nullptr);

  TracesModel* model() const { return model_; }
  TracesFilter* filter() const { return filter_; }
  QTableView* table() const { return table_; }
  QComboBox* quick_filter() const { return quick_; }
  QLineEdit* gene_search() const { return gene_; }
  QTextBrowser* item_panel() const { return item_; }
  QTabWidget* tabs() const { return tabs_; }
  QLabel* ttc_note() const { return ttc_note_; }
  QTableWidget* rollouts_table() const { return rollouts_; }
  QSpinBox* rollout_step() const { return step_; }

  // The KNN-KG prediction for an item's pair: the P(DE) the newest finished KNN-KG run of the
  // store on the item's cell line gave the same pair (item key); none when that run lacks it.
  struct KnnBeside {
    qint64 run = 0;
    double p_de = 0;
    int label = -1;
  };
  // The item panel's HTML for one prediction (also used by tests); `knn` null when none.
  static QString item_html(const ps::store::Prediction& p, const QString& kind, const KnnBeside* knn = nullptr);

 public slots:
  void open_run(qint64 run_id);  // loads predictions (and rollouts of a GRPO run) in the background
  // A TTC point's predictions (ttc_model.h): opens its run, restricted to the items the point
  // gave extra compute (below_tau), with a note naming the point.
  void open_ttc_point(const ps::gui::TtcSelection& selection);
  void select_row(int proxy_row);
  void export_csv();  // the filtered table as CSV (export.h), asking for the path

 signals:
  void loaded(qint64 run_id);

 private:
  void show_current();
  void show_rollouts();

  QString path_;
  TracesModel* model_;
  TracesFilter* filter_;
  QComboBox* quick_;
  QLineEdit* gene_;
  QLabel* count_;
  QLabel* ttc_note_;
  QTableView* table_;
  QTabWidget* tabs_;
  QTextBrowser* item_;
  QTableWidget* rollouts_;
  QSpinBox* step_;
  QLabel* rollout_note_;
  QString kind_;
  std::vector<ps::store::RolloutSample> rollout_samples_;
  std::map<std::string, KnnBeside> knn_;  // item key -> the KNN-KG prediction of the pair
  int request_ = 0;
};

}  // namespace ps::gui
