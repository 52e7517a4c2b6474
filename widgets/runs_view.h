// The Runs tab: the store's runs in a sortable table; select one run to open it, two or more to
// compare them (compare_view.h: reliability overlaid, metrics and paired differences against a
// baseline; the first selected, i.e. the lowest id, unless the user picks another), or any number to
// show their training curves overlaid. Running jobs show their live status and progress
// (the model polls the store); failed and cancelled runs their reason. A run's context menu
// renames it, edits its tags and notes (also F2 in the cell), and deletes runs after asking (and,
// when a run's folder exists under the store's runs/ folder, asks again whether to delete its
// files). The header's context menu chooses configuration columns (JSON pointers into the
// runs' configurations; kept in the settings).
#pragma once
#include <QList>
#include <QWidget>
#include <functional>

class QLabel;
class QMenu;
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
  QPushButton* open_button() const { return open_; }
  QPushButton* compare_button() const { return compare_; }
  QSortFilterProxyModel* proxy() const { return proxy_; }
  // Shown instead of the table while the store has no runs.
  QLabel* empty_hint() const { return empty_hint_; }
  bool showing_empty_hint() const;
  // The questions delete asks (default: a Yes/No message box); tests answer them.
  using Confirm = std::function<bool(const QString& title, const QString& question)>;
  void set_confirm(Confirm confirm) { confirm_ = std::move(confirm); }
  // The menus, built for the current selection / header (tests trigger their actions).
  QMenu* run_menu();
  QMenu* column_menu();

 signals:
  void open_requested(qint64 run_id);
  void compare_requested(const QList<qint64>& run_ids);  // two or more, ascending ids
  void curves_requested(const QList<qint64>& run_ids);   // one or more
  void selection_changed(const QList<qint64>& ids);

 public slots:
  void open_selected();     // one run: open it; several: compare them
  void compare_selected();  // two or more
  void show_curves_selected();
  void export_csv();
  void delete_selected();  // asks; deletes the rows, then (asking again) the run folders
  void rename_selected();  // an input dialog for the one selected run
  void edit_tags_selected();
  void edit_notes_selected();
  void add_config_column(const QString& pointer);
  void remove_config_column(const QString& pointer);

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
  Confirm confirm_;
  QMenu* run_menu_ = nullptr;
  QMenu* column_menu_ = nullptr;
};

}  // namespace ps::gui
