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
#include "number_format.h"
#include "reliability_model.h"
#include "theme.h"

namespace ps::gui {

static void style_axis(QCPAxis* axis) {
  const QColor fg = plot_foreground();
  axis->setBasePen(QPen(fg));
  axis->setTickPen(QPen(fg));
  axis->setSubTickPen(QPen(fg));
  axis->setTickLabelColor(fg);
  axis->setLabelColor(fg);
  axis->grid()->setPen(QPen(QColor(fg.red(), fg.green(), fg.blue(), 40), 1, Qt::DotLine));
}

ReliabilityView::ReliabilityView(ReliabilityModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  plot_ = new QCustomPlot;
  plot_->setObjectName("reliability_plot");
  plot_->setMinimumHeight(360);
  plot_->plotLayout()->clear();
  main_rect_ = new QCPAxisRect(plot_);
  hist_rect_ = new QCPAxisRect(plot_);
  plot_->plotLayout()->addElement(0, 0, main_rect_);
  plot_->plotLayout()->addElement(1, 0, hist_rect_);
  plot_->plotLayout()->setRowStretchFactors({3.0, 1.0});
  plot_->plotLayout()->setRowSpacing(4);
  // Both rects share their left margin so the x axes line up.
  auto* margins = new QCPMarginGroup(plot_);
  main_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  hist_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  main_rect_->axis(QCPAxis::atBottom)->setTickLabels(false);
  main_rect_->axis(QCPAxis::atLeft)->setLabel(tr("Observed fraction DE"));
  hist_rect_->axis(QCPAxis::atBottom)->setLabel(tr("Mean predicted probability of DE"));
  hist_rect_->axis(QCPAxis::atLeft)->setLabel(tr("Pairs"));
  plot_->legend = new QCPLegend;
  main_rect_->insetLayout()->addElement(plot_->legend, Qt::AlignTop | Qt::AlignLeft);
  plot_->legend->setLayer("legend");
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
  plot_->clearPlottables();
  plot_->legend->clearItems();
  plot_->setBackground(plot_background());
  apply_locale(plot_);  // ticks, legend and caption: one decimal separator
  for (auto* rect : {main_rect_, hist_rect_})
    for (auto* axis : rect->axes()) style_axis(axis);
  plot_->legend->setBrush(QColor(plot_background().red(), plot_background().green(), plot_background().blue(), 220));
  plot_->legend->setTextColor(plot_foreground());
  plot_->legend->setBorderPen(QPen(QColor(128, 128, 128, 120)));

  QCPAxis* x = main_rect_->axis(QCPAxis::atBottom);
  QCPAxis* y = main_rect_->axis(QCPAxis::atLeft);
  QCPAxis* hx = hist_rect_->axis(QCPAxis::atBottom);
  QCPAxis* hy = hist_rect_->axis(QCPAxis::atLeft);

  auto* diagonal = new QCPGraph(x, y);
  diagonal->setData(QVector<double>{0, 1}, QVector<double>{0, 1});
  diagonal->setPen(QPen(QColor(128, 128, 128), 1.2, Qt::DashLine));
  diagonal->setName(tr("Perfect calibration"));

  const auto& curves = model_->curves();
  auto* bars_group = new QCPBarsGroup(plot_);
  bars_group->setSpacingType(QCPBarsGroup::stAbsolute);
  bars_group->setSpacing(1);
  double max_count = 1;
  const double bin_width = curves.empty() || curves[0].bins.empty() ? 0.1 : curves[0].bins[0].upper - curves[0].bins[0].lower;
  QStringList caption;
  for (size_t i = 0; i < curves.size(); ++i) {
    const ReliabilityCurve& c = curves[i];
    const QColor color = series_color(int(i));
    QVector<double> cx, cy, err_low, err_high, hist_x, hist_y;
    for (const auto& b : c.bins) {
      hist_x << (b.lower + b.upper) / 2;
      hist_y << double(b.count);
      max_count = std::max(max_count, double(b.count));
      if (b.count == 0) continue;
      cx << b.mean_confidence;
      cy << b.accuracy;
      err_low << b.accuracy - b.ci_low;
      err_high << b.ci_high - b.accuracy;
    }
    auto* graph = new QCPGraph(x, y);
    graph->setData(cx, cy, true);
    graph->setPen(QPen(color, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, plot_background(), 7));
    QString ece = format_number(c.ece, 3);
    if (c.ece_ci_low >= 0) ece += " " + format_interval(c.ece_ci_low, c.ece_ci_high, 3);
    graph->setName(tr("%1 — ECE %2, Brier %3 (n = %4)").arg(c.label, ece, format_number(c.brier, 3), QString::number(c.n)));
    auto* errors = new QCPErrorBars(x, y);
    errors->setDataPlottable(graph);
    errors->setData(err_low, err_high);
    errors->setPen(QPen(color, 1.2));
    errors->setWhiskerWidth(6);
    errors->removeFromLegend();

    auto* bars = new QCPBars(hx, hy);
    bars->setData(hist_x, hist_y, true);
    bars->setWidth(bin_width * 0.9 / std::max<size_t>(1, curves.size()));
    bars->setPen(QPen(color.darker(120)));
    QColor fill = color;
    fill.setAlpha(150);
    bars->setBrush(fill);
    bars->setBarsGroup(bars_group);
    bars->removeFromLegend();
    caption << tr("%1: ECE %2, Brier %3").arg(c.label, format_number(c.ece, 3), format_number(c.brier, 3));
  }
  x->setRange(0, 1);
  y->setRange(0, 1);
  hx->setRange(0, 1);
  hy->setRange(0, max_count * 1.1);
  hy->setScaleType(QCPAxis::stLinear);
  if (curves.empty()) {
    caption_->setText(tr("Open a run from the Runs tab (select two to compare)."));
  } else {
    caption_->setText(caption.join("   ·   "));
  }
  plot_->replot();
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
