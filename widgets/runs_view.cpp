#include "runs_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
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
  table_->horizontalHeader()->setSectionResizeMode(RunsModel::Name, QHeaderView::Stretch);
  table_->setColumnWidth(RunsModel::Id, 50);
  table_->setObjectName("runs_table");
  table_->setWordWrap(false);
  table_->verticalHeader()->setDefaultSectionSize(24);

  auto* filter = new QLineEdit;
  filter->setPlaceholderText(tr("Filter runs (name, kind, cell line, status)…"));
  filter->setClearButtonEnabled(true);
  connect(filter, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

  open_ = new QPushButton(QIcon(":/icons/reliability.svg"), tr("&Open"));
  open_->setToolTip(tr("Open the selected run (Enter)"));
  compare_ = new QPushButton(QIcon(":/icons/compare.svg"), tr("&Compare"));
  compare_->setToolTip(tr("Overlay the reliability of the two selected runs"));
  auto* refresh = new QPushButton(QIcon(":/icons/refresh.svg"), tr("&Refresh"));
  auto* csv = new QPushButton(QIcon(":/icons/export.svg"), tr("Export CSV…"));
  count_ = new QLabel;

  connect(open_, &QPushButton::clicked, this, &RunsView::open_selected);
  connect(compare_, &QPushButton::clicked, this, [this] {
    const auto ids = selected_runs();
    if (ids.size() == 2) emit compare_requested(ids[0], ids[1]);
  });
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
  else if (ids.size() == 2) emit compare_requested(ids[0], ids[1]);
}

void RunsView::export_csv() {
  ExportDialog dialog("runs", false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!ps::gui::export_csv(proxy_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

bool RunsView::showing_empty_hint() const { return stack_->currentWidget() == empty_hint_; }

void RunsView::update_buttons() {
  const int n = int(selected_runs().size());
  open_->setEnabled(n == 1 || n == 2);
  compare_->setEnabled(n == 2);
  count_->setText(tr("%n run(s)", nullptr, model_->rowCount()));
}

}  // namespace ps::gui
