#include "reliability_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "export.h"
#include "reliability_model.h"
#include "reliability_plot.h"

namespace ps::gui {

ReliabilityView::ReliabilityView(ReliabilityModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  plot_ = new QCustomPlot;
  plot_->setObjectName("reliability_plot");
  plot_->setMinimumHeight(360);
  plot_->setInteractions(QCP::iSelectLegend);

  caption_ = new QLabel;
  caption_->setWordWrap(true);
  caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  table_ = new QTableView;
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setAlternatingRowColors(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);

  auto* figure = new QPushButton(QIcon(":/icons/export.svg"), tr("Export figure…"));
  auto* csv = new QPushButton(QIcon(":/icons/export.svg"), tr("Export bins CSV…"));
  connect(figure, &QPushButton::clicked, this, &ReliabilityView::export_figure);
  connect(csv, &QPushButton::clicked, this, &ReliabilityView::export_table);

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(plot_);
  splitter->addWidget(table_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(caption_, 1);
  buttons->addWidget(figure);
  buttons->addWidget(csv);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(splitter, 1);
  layout->addLayout(buttons);

  connect(model_, &QAbstractItemModel::modelReset, this, &ReliabilityView::rebuild);
  rebuild();
}

void ReliabilityView::rebuild() {
  const auto& curves = model_->curves();
  draw_reliability(plot_, curves);
  caption_->setText(curves.empty() ? tr("Open a run from the Runs tab (select several to compare them).") : reliability_caption(curves));
}

void ReliabilityView::export_figure() {
  ExportDialog dialog("reliability", true, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_plot(plot_, dialog.path(), dialog.size(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

void ReliabilityView::export_table() {
  ExportDialog dialog("reliability_bins", false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_csv(model_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

}  // namespace ps::gui
