#include "curves_plot.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

#include "figure_style.h"
#include "number_format.h"
#include "theme.h"

namespace ps::gui {


std::vector<CurvePanel> training_curve_panels() {
  return {{"loss", QCoreApplication::translate("ps::gui::TrainingCurves", "Loss")},
          {"reward", QCoreApplication::translate("ps::gui::TrainingCurves", "Mean reward")},
          {"val/f1", QCoreApplication::translate("ps::gui::TrainingCurves", "Validation F1")},
          {"val/ece", QCoreApplication::translate("ps::gui::TrainingCurves", "Validation ECE")}};
}

bool RunCurves::empty() const {
  for (const auto& [name, points] : series)
    if (!points.empty()) return false;
  return true;
}

RunCurves training_curves(const ps::store::Store& store, int64_t run_id) {
  RunCurves rc;
  rc.run_id = run_id;
  const auto run = store.get_run(run_id);
  rc.label =
      run ? QString("run %1 · %2").arg(run_id).arg(QString::fromStdString(run->kind)) : QString("run %1").arg(run_id);
  for (const auto& panel : training_curve_panels()) {
    std::vector<QPointF> pts;
    for (const auto& m : store.metrics(run_id, panel.metric.toStdString()))
      if (std::isfinite(m.value)) pts.emplace_back(double(m.step), m.value);
    std::stable_sort(pts.begin(), pts.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    rc.series[panel.metric] = std::move(pts);
  }
  return rc;
}

void draw_training_curves(QCustomPlot* plot, const std::vector<RunCurves>& runs) {
  begin_figure(plot);

  // Row 0: the legend of the runs, across the top; row 1: the 2 x 2 panels.
  plot->legend = new QCPLegend;
  plot->legend->setVisible(true);
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setWrap(3);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setTextColor(plot_foreground());
  plot->plotLayout()->addElement(0, 0, plot->legend);
  plot->legend->setLayer("legend");
  auto* grid = new QCPLayoutGrid;
  plot->plotLayout()->addElement(1, 0, grid);
  plot->plotLayout()->setRowStretchFactors({0.001, 1.0});
  plot->plotLayout()->setRowSpacing(2);
  grid->setRowSpacing(4);
  grid->setColumnSpacing(8);

  const auto panels = training_curve_panels();
  std::vector<QCPAxisRect*> rects;
  auto* left_margins = new QCPMarginGroup(plot);
  for (size_t p = 0; p < panels.size(); ++p) {
    auto* rect = new QCPAxisRect(plot);
    grid->addElement(int(p / 2), int(p % 2), rect);
    rect->setMarginGroup(QCP::msLeft | QCP::msRight, left_margins);
    style_axes(rect);
    bool any = false;
    for (const auto& r : runs) {
      auto it = r.series.find(panels[p].metric);
      any = any || (it != r.series.end() && !it->second.empty());
    }
    rect->axis(QCPAxis::atLeft)
        ->setLabel(any ? panels[p].title
                       : panels[p].title + " " +
                             QCoreApplication::translate("ps::gui::TrainingCurves", "(not logged)"));
    rect->axis(QCPAxis::atBottom)
        ->setLabel(p >= 2 ? QCoreApplication::translate("ps::gui::TrainingCurves", "Step") : QString());
    rects.push_back(rect);
  }

  for (size_t i = 0; i < runs.size(); ++i) {
    const QColor color = series_color(int(i));
    bool named = false;
    for (size_t p = 0; p < panels.size(); ++p) {
      auto it = runs[i].series.find(panels[p].metric);
      if (it == runs[i].series.end() || it->second.empty()) continue;
      QVector<double> xs, ys;
      for (const QPointF& pt : it->second) {
        xs << pt.x();
        ys << pt.y();
      }
      auto* graph = new QCPGraph(rects[p]->axis(QCPAxis::atBottom), rects[p]->axis(QCPAxis::atLeft));
      graph->setData(xs, ys, true);
      graph->setPen(QPen(color, 1.6));
      if (xs.size() <= 30)
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, plot_background(), 5));
      graph->setName(runs[i].label);
      if (named) graph->removeFromLegend();
      named = true;
    }
  }
  for (auto* rect : rects) {
    bool found = false;
    QCPRange xr, yr;
    for (QCPGraph* g : rect->graphs()) {
      bool fx = false, fy = false;
      const QCPRange gx = g->getKeyRange(fx), gy = g->getValueRange(fy);
      if (!fx || !fy) continue;
      xr = found ? QCPRange(std::min(xr.lower, gx.lower), std::max(xr.upper, gx.upper)) : gx;
      yr = found ? QCPRange(std::min(yr.lower, gy.lower), std::max(yr.upper, gy.upper)) : gy;
      found = true;
    }
    if (!found) {
      xr = QCPRange(0, 1);
      yr = QCPRange(0, 1);
    }
    if (xr.size() <= 0) xr = QCPRange(xr.lower - 0.5, xr.upper + 0.5);
    const double pad = yr.size() > 0 ? 0.06 * yr.size() : std::max(0.05, std::abs(yr.center()) * 0.1);
    rect->axis(QCPAxis::atBottom)->setRange(xr);
    rect->axis(QCPAxis::atLeft)->setRange(yr.lower - pad, yr.upper + pad);
  }
  apply_figure_fonts(plot);
  plot->replot();
}

}  // namespace ps::gui
