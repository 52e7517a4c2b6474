#include "predictions_view.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <set>

#include "async.h"
#include "export.h"
#include "predictions_model.h"

namespace ps::gui {

PredictionsView::PredictionsView(PredictionsModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  filter_ = new PredictionsFilter(this);
  filter_->setSourceModel(model_);

  gene_ = new QLineEdit;
  gene_->setPlaceholderText(tr("Search a gene (perturber or target)…"));
  gene_->setClearButtonEnabled(true);
  gene_->setObjectName("prediction_gene_search");
  connect(gene_, &QLineEdit::textChanged, filter_, &PredictionsFilter::set_gene);
  connect(gene_, &QLineEdit::textChanged, this, &PredictionsView::update_count);

  cell_line_ = new QComboBox;
  cell_line_->addItem(tr("All cell lines"), QString());
  connect(cell_line_, &QComboBox::currentIndexChanged, this, [this] {
    filter_->set_cell_line(cell_line_->currentData().toString());
    update_count();
  });

  quick_ = new QButtonGroup(this);
  auto* quick_row = new QHBoxLayout;
  const std::pair<int, QString> quick[] = {{PredictionsFilter::All, tr("All")},
                                           {PredictionsFilter::Wrong, tr("Wrong")},
                                           {PredictionsFilter::ConfidentAndWrong, tr("Confident and wrong")},
                                           {PredictionsFilter::UnseenTarget, tr("Unseen target")}};
  for (const auto& [id, text] : quick) {
    auto* b = new QPushButton(text);
    b->setCheckable(true);
    b->setChecked(id == PredictionsFilter::All);
    quick_->addButton(b, id);
    quick_row->addWidget(b);
  }
  quick_->setExclusive(true);
  connect(quick_, &QButtonGroup::idClicked, this, &PredictionsView::set_quick_filter);

  count_ = new QLabel;
  auto* csv = new QPushButton(QIcon(":/icons/export.svg"), tr("Export CSV…"));
  connect(csv, &QPushButton::clicked, this, &PredictionsView::export_csv);

  table_ = new QTableView;
  table_->setObjectName("predictions_table");
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(PredictionsModel::Probability, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (current.isValid()) show_pair(filter_->mapToSource(current).row());
  });

  evidence_panel_ = new QTextBrowser;
  evidence_panel_->setObjectName("evidence_panel");
  evidence_panel_->setOpenLinks(false);
  clear_evidence();

  // Another run (or none): the pair shown belongs to the old rows. Empty the panel and
  // drop any evidence still being computed for it; a new selection fills it again.
  connect(model_, &QAbstractItemModel::modelReset, this, [this] {
    clear_evidence();
    update_cell_lines();
    update_count();
  });
  connect(filter_, &QAbstractItemModel::modelReset, this, &PredictionsView::update_count);
  connect(filter_, &QAbstractItemModel::layoutChanged, this, &PredictionsView::update_count);
  connect(filter_, &QAbstractItemModel::rowsInserted, this, &PredictionsView::update_count);
  connect(filter_, &QAbstractItemModel::rowsRemoved, this, &PredictionsView::update_count);

  auto* bar = new QHBoxLayout;
  bar->addWidget(gene_, 2);
  bar->addWidget(cell_line_);
  bar->addLayout(quick_row);
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(count_, 1);
  bottom->addWidget(csv);
  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addLayout(bar);
  left_layout->addWidget(table_, 1);
  left_layout->addLayout(bottom);
  auto* splitter = new QSplitter(Qt::Horizontal);
  splitter->addWidget(left);
  splitter->addWidget(evidence_panel_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(splitter);
  update_count();
}

void PredictionsView::clear_evidence() {
  ++evidence_request_;  // results of earlier requests are dropped
  shown_ = {};
  evidence_panel_->setHtml(tr("<p><i>Select a prediction to see the evidence for the pair.</i></p>"));
}

void PredictionsView::set_quick_filter(int quick) {
  if (auto* b = quick_->button(quick)) b->setChecked(true);
  filter_->set_quick(PredictionsFilter::Quick(quick));
  update_count();
}

void PredictionsView::focus_search() {
  gene_->setFocus();
  gene_->selectAll();
}

void PredictionsView::update_cell_lines() {
  std::set<std::string> cells;
  for (int r = 0; r < model_->rowCount(); ++r) cells.insert(model_->prediction(r).cell_line);
  const QString current = cell_line_->currentData().toString();
  QSignalBlocker block(cell_line_);
  cell_line_->clear();
  cell_line_->addItem(tr("All cell lines"), QString());
  for (const auto& c : cells) cell_line_->addItem(QString::fromStdString(c), QString::fromStdString(c));
  cell_line_->setCurrentIndex(std::max(0, cell_line_->findData(current)));
}

void PredictionsView::update_count() {
  count_->setText(tr("%1 of %2 pairs").arg(filter_->rowCount()).arg(model_->rowCount()));
}

void PredictionsView::show_pair(int source_row) {
  const auto& p = model_->prediction(source_row);
  const QString cell = QString::fromStdString(p.cell_line), pert = QString::fromStdString(p.perturber),
                target = QString::fromStdString(p.target);
  shown_ = {cell, pert, target};
  emit pair_selected(cell, pert, target);
  QString head = tr("<h3>%1 knocked down → %2</h3>").arg(pert.toHtmlEscaped(), target.toHtmlEscaped());
  head += tr("<p>Cell line <b>%1</b> · P(DE) <b>%2</b> · label <b>%3</b> · %4</p>")
              .arg(cell.toHtmlEscaped())
              .arg(p.confidence, 0, 'f', 3)
              .arg(p.label == 1 ? tr("DE") : p.label == 0 ? tr("not DE") : "?")
              .arg(model_->is_wrong(source_row) ? tr("<span style='color:#c8463a'>wrong</span>")
                                                 : tr("<span style='color:#2a965a'>correct</span>"));
  if (!p.trace.empty())
    head += tr("<h4>Predictor's account</h4><pre style='white-space:pre-wrap'>%1</pre>")
                .arg(QString::fromStdString(p.trace).toHtmlEscaped());
  evidence_panel_->setHtml(head + (evidence_ ? tr("<p><i>Loading knowledge-graph evidence…</i></p>") : QString()));
  if (!evidence_) return;
  const int request = ++evidence_request_;
  auto fn = evidence_;
  run_async<QString>(this, [fn, cell, pert, target] { return fn(cell, pert, target); },
                     [this, request, head](QString html) {
                       if (request == evidence_request_) evidence_panel_->setHtml(head + html);
                     },
                     [this, request, head](QString error) {
                       if (request == evidence_request_)
                         evidence_panel_->setHtml(head + tr("<p>No evidence available: %1</p>").arg(error.toHtmlEscaped()));
                     });
}

void PredictionsView::export_csv() {
  ExportDialog dialog(QString("predictions_run%1").arg(model_->run_id()), false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!ps::gui::export_csv(filter_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

}  // namespace ps::gui
