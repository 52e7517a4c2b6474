// The Predictions tab: every (perturber, target) prediction of a run in a
// sortable, filterable table, with quick filters and the selected pair's
// evidence beside it.
#pragma once
#include <QStringList>
#include <QWidget>
#include <functional>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTextBrowser;

namespace ps::gui {

class PredictionsModel;
class PredictionsFilter;

class PredictionsView : public QWidget {
  Q_OBJECT
 public:
  // Returns the HTML of the evidence for one pair (KG neighbours, shared terms);
  // called on a worker thread, so it must not touch widgets.
  using EvidenceFn = std::function<QString(const QString& cell_line, const QString& perturber, const QString& target)>;

  PredictionsView(PredictionsModel* model, QWidget* parent = nullptr);
  void set_evidence_provider(EvidenceFn fn) { evidence_ = std::move(fn); }

  QTableView* table() const { return table_; }
  PredictionsFilter* filter() const { return filter_; }
  QLineEdit* gene_search() const { return gene_; }
  QTextBrowser* evidence_panel() const { return evidence_panel_; }
  // The pair the evidence panel shows (cell line, perturber, target); empty when none.
  QStringList shown_pair() const { return shown_; }

 public slots:
  void set_quick_filter(int quick);  // PredictionsFilter::Quick
  void export_csv();
  void focus_search();

 signals:
  void pair_selected(const QString& cell_line, const QString& perturber, const QString& target);

 private:
  void show_pair(int source_row);
  void clear_evidence();
  void update_count();
  void update_cell_lines();
  PredictionsModel* model_;
  PredictionsFilter* filter_;
  QTableView* table_;
  QLineEdit* gene_;
  QComboBox* cell_line_;
  QButtonGroup* quick_;
  QLabel* count_;
  QTextBrowser* evidence_panel_;
  EvidenceFn evidence_;
  int evidence_request_ = 0;
  QStringList shown_;
};

}  // namespace ps::gui
