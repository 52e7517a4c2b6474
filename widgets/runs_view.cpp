#include "runs_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QDir>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QMenu>
#include <QSettings>
#include <QShortcut>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "export.h"
#include "runs_model.h"

namespace ps::gui {

RunsView::RunsView(RunsModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model);
  proxy_->setSortRole(Qt::EditRole);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);

  table_ = new QTableView;
  table_->setModel(proxy_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RunsModel::Id, Qt::DescendingOrder);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  // Name, tags, notes and the configuration columns all want room: fixed starting widths the
  // user can drag, never a stretched Name squeezed to nothing by the others.
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->setColumnWidth(RunsModel::Id, 50);
  table_->setColumnWidth(RunsModel::Name, 200);
  table_->setColumnWidth(RunsModel::Kind, 60);
  table_->setColumnWidth(RunsModel::Status, 130);
  table_->setColumnWidth(RunsModel::Tags, 110);
  table_->setColumnWidth(RunsModel::Notes, 160);
  for (int c = RunsModel::CellLine; c <= RunsModel::NTest; ++c) table_->setColumnWidth(c, 80);
  table_->setObjectName("runs_table");
  table_->setWordWrap(false);
  table_->verticalHeader()->setDefaultSectionSize(24);
  // Double-click opens a run; F2 edits the name, tags or notes in place.
  table_->setEditTriggers(QAbstractItemView::EditKeyPressed);
  table_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(table_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    if (!selected_runs().isEmpty()) run_menu()->popup(table_->viewport()->mapToGlobal(pos));
  });
  table_->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(table_->horizontalHeader(), &QWidget::customContextMenuRequested, this,
          [this](const QPoint& pos) { column_menu()->popup(table_->horizontalHeader()->mapToGlobal(pos)); });
  auto* del = new QShortcut(QKeySequence::Delete, table_, nullptr, nullptr, Qt::WidgetShortcut);
  connect(del, &QShortcut::activated, this, &RunsView::delete_selected);
  confirm_ = [this](const QString& title, const QString& question) {
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
  };
  model_->set_config_columns(QSettings().value("runs/config_columns").toStringList());

  auto* filter = new QLineEdit;
  filter->setPlaceholderText(tr("Filter runs (name, kind, cell line, status)…"));
  filter->setClearButtonEnabled(true);
  connect(filter, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

  open_ = new QPushButton(QIcon(":/icons/reliability.svg"), tr("&Open"));
  open_->setToolTip(tr("Open the selected run (Enter)"));
  compare_ = new QPushButton(QIcon(":/icons/compare.svg"), tr("&Compare"));
  compare_->setToolTip(tr("Compare the selected runs (two or more): reliability overlaid, metrics with CIs and "
                          "paired differences against a baseline"));
  auto* refresh = new QPushButton(QIcon(":/icons/refresh.svg"), tr("&Refresh"));
  auto* csv = new QPushButton(QIcon(":/icons/export.svg"), tr("Export CSV…"));
  count_ = new QLabel;

  connect(open_, &QPushButton::clicked, this, &RunsView::open_selected);
  connect(compare_, &QPushButton::clicked, this, &RunsView::compare_selected);
  connect(refresh, &QPushButton::clicked, model_, &RunsModel::refresh);
  connect(csv, &QPushButton::clicked, this, &RunsView::export_csv);
  connect(table_, &QTableView::activated, this, &RunsView::open_selected);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    update_buttons();
    emit selection_changed(selected_runs());
  });
  // A reset (new or deleted runs) would drop the selection: carry it across.
  connect(model_, &QAbstractItemModel::modelAboutToBeReset, this, [this] { kept_selection_ = selected_runs(); });
  connect(model_, &QAbstractItemModel::modelReset, this, [this] { select_runs(kept_selection_); });
  connect(model_, &RunsModel::runs_changed, this, &RunsView::update_buttons);

  auto* top = new QHBoxLayout;
  top->addWidget(filter, 1);
  top->addWidget(count_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(open_);
  buttons->addWidget(compare_);
  buttons->addStretch(1);
  buttons->addWidget(refresh);
  buttons->addWidget(csv);
  // An empty store says what to do instead of showing a blank table.
  empty_hint_ = new QLabel(tr("<h3>No runs yet</h3><p>Start a KNN-KG evaluation (Ctrl+N), or run "
                              "<code>perturbscope-cli knn --cell-line k562</code> in a terminal: its runs appear here by themselves.</p>"));
  empty_hint_->setObjectName("runs_empty_hint");
  empty_hint_->setAlignment(Qt::AlignCenter);
  empty_hint_->setWordWrap(true);
  empty_hint_->setTextFormat(Qt::RichText);
  stack_ = new QStackedWidget;
  stack_->addWidget(table_);
  stack_->addWidget(empty_hint_);
  auto update_hint = [this] { stack_->setCurrentWidget(model_->rowCount() == 0 ? static_cast<QWidget*>(empty_hint_) : table_); };
  connect(model_, &RunsModel::runs_changed, this, update_hint);
  connect(model_, &QAbstractItemModel::modelReset, this, update_hint);
  update_hint();

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(stack_, 1);
  layout->addLayout(buttons);
  update_buttons();
}

QList<qint64> RunsView::selected_runs() const {
  QList<qint64> ids;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows())
    ids << i.data(RunsModel::RunIdRole).toLongLong();
  std::sort(ids.begin(), ids.end());
  return ids;
}

void RunsView::select_runs(const QList<qint64>& ids) {
  QItemSelection selection;
  for (qint64 id : ids) {
    const int row = model_->row_of(id);
    if (row < 0) continue;
    const QModelIndex i = proxy_->mapFromSource(model_->index(row, 0));
    selection.select(i, i.siblingAtColumn(RunsModel::ColumnCount - 1));
  }
  table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void RunsView::open_selected() {
  const auto ids = selected_runs();
  if (ids.size() == 1) emit open_requested(ids[0]);
  else if (ids.size() >= 2) emit compare_requested(ids);
}

void RunsView::compare_selected() {
  const auto ids = selected_runs();
  if (ids.size() >= 2) emit compare_requested(ids);
}

void RunsView::show_curves_selected() {
  const auto ids = selected_runs();
  if (!ids.isEmpty()) emit curves_requested(ids);
}

void RunsView::export_csv() {
  ExportDialog dialog("runs", false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!ps::gui::export_csv(proxy_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

QMenu* RunsView::run_menu() {
  delete run_menu_;
  run_menu_ = new QMenu(this);
  const auto ids = selected_runs();
  auto* open = run_menu_->addAction(QIcon(":/icons/reliability.svg"), tr("&Open"), this, &RunsView::open_selected);
  open->setEnabled(!ids.isEmpty());
  auto* compare = run_menu_->addAction(QIcon(":/icons/compare.svg"), tr("&Compare"), this, &RunsView::compare_selected);
  compare->setObjectName("compare_runs");
  compare->setEnabled(ids.size() >= 2);
  auto* curves = run_menu_->addAction(QIcon(":/icons/reliability.svg"), tr("Show c&urves"), this, &RunsView::show_curves_selected);
  curves->setObjectName("show_curves");
  curves->setEnabled(!ids.isEmpty());
  run_menu_->addSeparator();
  run_menu_->addAction(tr("&Rename…"), this, &RunsView::rename_selected)->setEnabled(ids.size() == 1);
  run_menu_->addAction(tr("&Tags…"), this, &RunsView::edit_tags_selected)->setEnabled(ids.size() == 1);
  run_menu_->addAction(tr("&Notes…"), this, &RunsView::edit_notes_selected)->setEnabled(ids.size() == 1);
  run_menu_->addSeparator();
  run_menu_->addAction(QIcon(":/icons/cancel.svg"), tr("&Delete…"), this, &RunsView::delete_selected)->setEnabled(!ids.isEmpty());
  return run_menu_;
}

QMenu* RunsView::column_menu() {
  delete column_menu_;
  column_menu_ = new QMenu(this);
  auto* sub = column_menu_->addMenu(tr("Configuration columns"));
  const QStringList shown = model_->config_columns();
  QStringList offered = model_->available_config_columns();
  for (const auto& p : shown)
    if (!offered.contains(p)) offered << p;
  for (const auto& p : offered) {
    auto* a = sub->addAction(p.mid(1));
    a->setObjectName("config_column:" + p);
    a->setCheckable(true);
    a->setChecked(shown.contains(p));
    connect(a, &QAction::toggled, this, [this, p](bool on) { on ? add_config_column(p) : remove_config_column(p); });
  }
  if (offered.isEmpty()) sub->addAction(tr("(no configuration values)"))->setEnabled(false);
  column_menu_->addAction(tr("Add a column by JSON pointer…"), this, [this] {
    bool ok = false;
    const QString p = QInputDialog::getText(this, tr("Configuration column"),
                                            tr("JSON pointer into the run configuration (e.g. /k, /lora/r):"),
                                            QLineEdit::Normal, "/", &ok);
    if (!ok) return;
    if (!p.startsWith('/')) {
      QMessageBox::warning(this, tr("Configuration column"), tr("A JSON pointer starts with '/': %1").arg(p));
      return;
    }
    add_config_column(p);
  });
  return column_menu_;
}

void RunsView::add_config_column(const QString& pointer) {
  QStringList cols = model_->config_columns();
  if (cols.contains(pointer)) return;
  cols << pointer;
  model_->set_config_columns(cols);
  QSettings().setValue("runs/config_columns", model_->config_columns());
}

void RunsView::remove_config_column(const QString& pointer) {
  QStringList cols = model_->config_columns();
  cols.removeAll(pointer);
  model_->set_config_columns(cols);
  QSettings().setValue("runs/config_columns", model_->config_columns());
}

void RunsView::rename_selected() {
  const auto ids = selected_runs();
  if (ids.size() != 1) return;
  const int row = model_->row_of(ids[0]);
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("Rename run %1").arg(ids[0]), tr("Name:"), QLineEdit::Normal,
                                             QString::fromStdString(model_->run(row).name), &ok);
  if (ok && !model_->setData(model_->index(row, RunsModel::Name), name))
    QMessageBox::warning(this, tr("Rename failed"), model_->last_error());
}

void RunsView::edit_tags_selected() {
  const auto ids = selected_runs();
  if (ids.size() != 1) return;
  const int row = model_->row_of(ids[0]);
  bool ok = false;
  const QString tags = QInputDialog::getText(this, tr("Tags of run %1").arg(ids[0]), tr("Tags, separated by commas:"),
                                             QLineEdit::Normal, model_->index(row, RunsModel::Tags).data().toString(), &ok);
  if (ok && !model_->setData(model_->index(row, RunsModel::Tags), tags))
    QMessageBox::warning(this, tr("Tags not saved"), model_->last_error());
}

void RunsView::edit_notes_selected() {
  const auto ids = selected_runs();
  if (ids.size() != 1) return;
  const int row = model_->row_of(ids[0]);
  bool ok = false;
  const QString notes = QInputDialog::getMultiLineText(this, tr("Notes on run %1").arg(ids[0]), tr("Notes:"),
                                                       QString::fromStdString(model_->run(row).notes), &ok);
  if (ok && !model_->setData(model_->index(row, RunsModel::Notes), notes))
    QMessageBox::warning(this, tr("Notes not saved"), model_->last_error());
}

void RunsView::delete_selected() {
  // A running job still writes its run: it is never deleted from under it.
  QList<qint64> ids;
  QStringList names, running;
  for (qint64 id : selected_runs()) {
    const int row = model_->row_of(id);
    if (row >= 0 && model_->run(row).status == ps::store::RunStatus::Running) {
      running << QString::number(id);
    } else {
      ids << id;
      names << QString::number(id);
    }
  }
  if (ids.isEmpty()) return;
  QString question = tr("Delete %n run(s) (%1) from the store, with their metrics, predictions and traces?", nullptr,
                        int(ids.size())).arg(names.join(", "));
  if (!running.isEmpty()) question += "\n" + tr("Running runs are kept: %1").arg(running.join(", "));
  if (!confirm_(tr("Delete runs"), question)) return;
  QStringList folders;
  for (qint64 id : ids)
    if (QDir(model_->run_folder(id)).exists()) folders << model_->run_folder(id);
  const bool ok = model_->delete_runs(ids);
  if (!folders.isEmpty() &&
      confirm_(tr("Delete files"), tr("Also delete the run folders (checkpoints, adapters, logs)?\n%1").arg(folders.join("\n")))) {
    QStringList failed;
    for (const auto& f : folders)
      if (!QDir(f).removeRecursively()) failed << f;
    if (!failed.isEmpty()) QMessageBox::warning(this, tr("Delete files"), tr("Could not delete:\n%1").arg(failed.join("\n")));
  }
  if (!ok) QMessageBox::warning(this, tr("Delete runs"), model_->last_error());
}

bool RunsView::showing_empty_hint() const { return stack_->currentWidget() == empty_hint_; }

void RunsView::update_buttons() {
  const int n = int(selected_runs().size());
  open_->setEnabled(n >= 1);
  compare_->setEnabled(n >= 2);
  count_->setText(tr("%n run(s)", nullptr, model_->rowCount()));
}

}  // namespace ps::gui
