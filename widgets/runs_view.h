// The Runs tab: the store's runs in a sortable table; select one run to open it,
// two to compare them (reliability overlaid).
#pragma once
#include <QList>
#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace ps::gui {

class RunsModel;

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(RunsModel* model, QWidget* parent = nullptr);
  QList<qint64> selected_runs() const;
  void select_runs(const QList<qint64>& ids);
  QTableView* table() const { return table_; }
  QSortFilterProxyModel* proxy() const { return proxy_; }
  // Shown instead of the table while the store has no runs.
  QLabel* empty_hint() const { return empty_hint_; }
  bool showing_empty_hint() const;

 signals:
  void open_requested(qint64 run_id);
  void compare_requested(qint64 first, qint64 second);
  void selection_changed(const QList<qint64>& ids);

 public slots:
  void open_selected();
  void export_csv();

 private:
  void update_buttons();
  RunsModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* table_;
  QPushButton* open_;
  QPushButton* compare_;
  QLabel* count_;
  QLabel* empty_hint_;
  QStackedWidget* stack_;
  QList<qint64> kept_selection_;
};

}  // namespace ps::gui
