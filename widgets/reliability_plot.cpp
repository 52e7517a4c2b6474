#include "reliability_plot.h"

#include <QCoreApplication>
#include <algorithm>
#include <qcustomplot.h>

#include "figure_style.h"
#include "number_format.h"
#include "theme.h"

namespace ps::gui {


void draw_reliability(QCustomPlot* plot, const std::vector<ReliabilityCurve>& curves) {
  begin_figure(plot);
  auto* main_rect = new QCPAxisRect(plot);
  auto* hist_rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(0, 0, main_rect);
  plot->plotLayout()->addElement(1, 0, hist_rect);
  plot->plotLayout()->setRowStretchFactors({3.0, 1.0});
  plot->plotLayout()->setRowSpacing(4);
  // Both rects share their left and right margins so the x axes line up.
  auto* margins = new QCPMarginGroup(plot);
  main_rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  hist_rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  main_rect->axis(QCPAxis::atBottom)->setTickLabels(false);
  main_rect->axis(QCPAxis::atLeft)
      ->setLabel(QCoreApplication::translate("ps::gui::ReliabilityView", "Observed fraction DE"));
  hist_rect->axis(QCPAxis::atBottom)
      ->setLabel(QCoreApplication::translate("ps::gui::ReliabilityView", "Mean predicted probability of DE"));
  hist_rect->axis(QCPAxis::atLeft)->setLabel(QCoreApplication::translate("ps::gui::ReliabilityView", "Pairs"));
  // Lower right, under the diagonal, where a calibrated curve leaves room (top left hid the
  // curves of the Compare tab); compact and see-through so a curve beneath still shows.
  QCPLegend* legend = add_inset_legend(plot, main_rect, Qt::AlignBottom | Qt::AlignRight);
  legend->setRowSpacing(0);
  legend->setIconSize(16, 10);
  legend->setBrush(QColor(legend->brush().color().red(), legend->brush().color().green(),
                          legend->brush().color().blue(), 150));
  for (auto* rect : {main_rect, hist_rect}) style_axes(rect);

  QCPAxis* x = main_rect->axis(QCPAxis::atBottom);
  QCPAxis* y = main_rect->axis(QCPAxis::atLeft);
  QCPAxis* hx = hist_rect->axis(QCPAxis::atBottom);
  QCPAxis* hy = hist_rect->axis(QCPAxis::atLeft);

  auto* diagonal = new QCPGraph(x, y);
  diagonal->setData(QVector<double>{0, 1}, QVector<double>{0, 1});
  diagonal->setPen(QPen(QColor(128, 128, 128), 1.2, Qt::DashLine));
  diagonal->setName(QCoreApplication::translate("ps::gui::ReliabilityView", "Perfect calibration"));

  auto* bars_group = new QCPBarsGroup(plot);
  bars_group->setSpacingType(QCPBarsGroup::stAbsolute);
  bars_group->setSpacing(1);
  double max_count = 1;
  const double bin_width =
      curves.empty() || curves[0].bins.empty() ? 0.1 : curves[0].bins[0].upper - curves[0].bins[0].lower;
  for (size_t i = 0; i < curves.size(); ++i) {
    const ReliabilityCurve& c = curves[i];
    const QColor color = series_color(int(i));
    // Six colours; every further six curves repeat them with another line style and marker.
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond};
    const size_t variant = (i / 6) % 4;
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
    graph->setPen(QPen(color, 2, styles[variant]));
    graph->setScatterStyle(QCPScatterStyle(shapes[variant], color, plot_background(), 7));
    QString ece = format_number(c.ece, 3);
    if (c.ece_ci_low >= 0) ece += " " + format_interval(c.ece_ci_low, c.ece_ci_high, 3);
    graph->setName(QCoreApplication::translate("ps::gui::ReliabilityView", "%1 — ECE %2, Brier %3 (n = %4)")
                       .arg(c.label, ece, format_number(c.brier, 3), QString::number(c.n)));
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
  }
  x->setRange(0, 1);
  y->setRange(0, 1);
  hx->setRange(0, 1);
  hy->setRange(0, max_count * 1.1);
  hy->setScaleType(QCPAxis::stLinear);
  hy->ticker()->setTickCount(3);  // the histogram is a quarter of the height: few labels
  apply_figure_fonts(plot);
  plot->replot();
}

QString reliability_caption(const std::vector<ReliabilityCurve>& curves) {
  QStringList caption;
  for (const auto& c : curves)
    caption << QCoreApplication::translate("ps::gui::ReliabilityView", "%1: ECE %2, Brier %3")
                   .arg(c.label, format_number(c.ece, 3), format_number(c.brier, 3));
  return caption.join("   ·   ");
}

}  // namespace ps::gui
