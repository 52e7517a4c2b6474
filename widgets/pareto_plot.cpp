#include "pareto_plot.h"

#include <QCoreApplication>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "common/error.h"
#include "figure_style.h"
#include "number_format.h"
#include "theme.h"

namespace ps::gui {

namespace {

double number(const nlohmann::json& j, const char* field, const std::string& where) {
  if (!j.contains(field) || j[field].is_null()) return NAN;
  if (!j[field].is_number()) throw ps::Error(where + ": field \"" + field + "\" is not a number");
  return j[field].get<double>();
}

void read_ci(const nlohmann::json& j, const char* field, double& lo, double& hi) {
  if (j.contains(field) && j[field].is_array() && j[field].size() == 2) {
    const auto& ci = j[field];
    lo = ci[0].is_number() ? ci[0].get<double>() : NAN;
    hi = ci[1].is_number() ? ci[1].get<double>() : NAN;
  }
}
}  // namespace

double metric_value(const ParetoPoint& p, ParetoMetric m) {
  return m == ParetoMetric::F1 ? p.f1 : m == ParetoMetric::Brier ? p.brier : p.ece;
}
double metric_lo(const ParetoPoint& p, ParetoMetric m) {
  return m == ParetoMetric::F1 ? p.f1_lo : m == ParetoMetric::Brier ? p.brier_lo : p.ece_lo;
}
double metric_hi(const ParetoPoint& p, ParetoMetric m) {
  return m == ParetoMetric::F1 ? p.f1_hi : m == ParetoMetric::Brier ? p.brier_hi : p.ece_hi;
}

std::vector<ParetoPoint> pareto_points(const std::string& summary_json, const std::string& origin) {
  nlohmann::json s;
  try {
    s = nlohmann::json::parse(summary_json.empty() ? std::string("{}") : summary_json);
  } catch (const nlohmann::json::exception& e) {
    throw ps::Error(origin + ": summary is not JSON (" + e.what() + ")");
  }
  std::vector<ParetoPoint> out;
  if (!s.is_object() || !s.contains("strategies")) return out;
  if (!s["strategies"].is_array()) throw ps::Error(origin + ": summary field \"strategies\" is not a list");
  for (size_t i = 0; i < s["strategies"].size(); ++i) {
    const auto& j = s["strategies"][i];
    const std::string where = origin + ": strategies[" + std::to_string(i) + "]";
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
      throw ps::Error(where + ": no strategy \"name\"");
    ParetoPoint p;
    p.name = QString::fromStdString(j["name"].get<std::string>());
    p.selective = j.value("selective", false);
    p.tau = number(j, "tau", where);
    p.tokens_per_item = number(j, "tokens_per_item", where);
    p.f1 = number(j, "f1", where);
    read_ci(j, "f1_ci", p.f1_lo, p.f1_hi);
    p.brier = number(j, "brier", where);
    read_ci(j, "brier_ci", p.brier_lo, p.brier_hi);
    p.ece = number(j, "ece", where);
    read_ci(j, "ece_ci", p.ece_lo, p.ece_hi);
    const double n = number(j, "n", where);
    p.n = std::isfinite(n) ? static_cast<int64_t>(n) : 0;
    p.pareto = j.value("pareto", false);
    out.push_back(p);
  }
  return out;
}

void draw_pareto(QCustomPlot* plot, const std::vector<ParetoPoint>& points, ParetoMetric metric, int marked) {
  begin_figure(plot);
  auto* rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(0, 0, rect);
  add_inset_legend(plot, rect, Qt::AlignBottom | Qt::AlignRight);
  style_axes(rect);
  const QColor bg = plot_background();
  QCPAxis* x = rect->axis(QCPAxis::atBottom);
  QCPAxis* y = rect->axis(QCPAxis::atLeft);
  x->setLabel(QCoreApplication::translate("ps::gui::ParetoPlot", "Mean generated tokens per item"));
  y->setLabel(metric == ParetoMetric::F1      ? QCoreApplication::translate("ps::gui::ParetoPlot", "F1 (P(DE) ≥ 0.5)")
              : metric == ParetoMetric::Brier ? QCoreApplication::translate("ps::gui::ParetoPlot", "Brier score")
                                              : QCoreApplication::translate("ps::gui::ParetoPlot", "ECE (10 bins)"));
  auto value = [metric](const ParetoPoint& p) { return metric_value(p, metric); };

  // One series per (strategy, selective): uniform points, then each tau sweep.
  std::map<std::pair<bool, QString>, std::vector<ParetoPoint>> series;
  std::vector<ParetoPoint> frontier;
  for (const auto& p : points) {
    if (!std::isfinite(p.tokens_per_item) || !std::isfinite(value(p))) continue;
    series[{p.selective, p.name}].push_back(p);
    if (p.pareto && metric == ParetoMetric::F1) frontier.push_back(p);
  }
  double xmin = 0, xmax = 1, ymin = 1, ymax = 0;
  bool any = false;
  int colour = 0;
  for (auto& [key, pts] : series) {
    std::sort(pts.begin(), pts.end(),
              [](const ParetoPoint& a, const ParetoPoint& b) { return a.tokens_per_item < b.tokens_per_item; });
    const QColor color = series_color(colour++);
    QVector<double> xs, ys, lo, hi;
    bool has_ci = false;
    for (const auto& p : pts) {
      const double v = value(p), vlo = metric_lo(p, metric), vhi = metric_hi(p, metric);
      xs << p.tokens_per_item;
      ys << v;
      const bool ci = std::isfinite(vlo) && std::isfinite(vhi);
      has_ci = has_ci || ci;
      lo << (ci ? v - vlo : 0);
      hi << (ci ? vhi - v : 0);
      xmax = std::max(xmax, p.tokens_per_item);
      ymin = std::min(ymin, ci ? vlo : v);
      ymax = std::max(ymax, ci ? vhi : v);
      any = true;
    }
    auto* graph = new QCPGraph(x, y);
    graph->setData(xs, ys, true);
    const bool selective = key.first;
    graph->setLineStyle(selective ? QCPGraph::lsLine : QCPGraph::lsNone);
    graph->setPen(QPen(color, selective ? 1.5 : 2));
    graph->setScatterStyle(QCPScatterStyle(selective ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssDiamond, color,
                                           selective ? bg : color, selective ? 5 : 10));
    graph->setName(selective
                       ? QCoreApplication::translate("ps::gui::ParetoPlot", "%1, selective (tau sweep)").arg(key.second)
                       : QCoreApplication::translate("ps::gui::ParetoPlot", "%1, uniform").arg(key.second));
    if (has_ci) {
      auto* errors = new QCPErrorBars(x, y);
      errors->setDataPlottable(graph);
      errors->setData(lo, hi);
      QColor c = color;
      c.setAlpha(selective ? 110 : 220);
      errors->setPen(QPen(c, 1));
      errors->setWhiskerWidth(selective ? 3 : 6);
      errors->removeFromLegend();
    }
  }
  if (!frontier.empty()) {
    std::sort(frontier.begin(), frontier.end(),
              [](const ParetoPoint& a, const ParetoPoint& b) { return a.tokens_per_item < b.tokens_per_item; });
    QVector<double> xs, ys;
    for (const auto& p : frontier) {
      xs << p.tokens_per_item;
      ys << p.f1;
    }
    auto* line = new QCPGraph(x, y);
    line->setData(xs, ys, true);
    line->setLineStyle(QCPGraph::lsStepLeft);
    line->setPen(QPen(QColor(128, 128, 128), 1.2, Qt::DashLine));
    line->setName(QCoreApplication::translate("ps::gui::ParetoPlot", "Pareto frontier"));
  }
  if (marked >= 0 && marked < static_cast<int>(points.size())) {
    const ParetoPoint& p = points[size_t(marked)];
    if (std::isfinite(p.tokens_per_item) && std::isfinite(value(p))) {
      auto* ring = new QCPGraph(x, y);
      ring->setData(QVector<double>{p.tokens_per_item}, QVector<double>{value(p)}, true);
      ring->setLineStyle(QCPGraph::lsNone);
      ring->setPen(QPen(plot_foreground(), 2));
      ring->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(plot_foreground(), 2), Qt::NoBrush, 18));
      ring->setName(QCoreApplication::translate("ps::gui::ParetoPlot", "Operating point"));
    }
  }
  if (!any) {
    xmin = 0;
    xmax = 1;
    ymin = 0;
    ymax = 1;
  }
  const double ypad = std::max(0.02, 0.08 * (ymax - ymin));
  x->setRange(xmin, xmax * 1.08);
  // Metrics live in [0, 1]; a point at a bound (F1 = 1, ECE = 0) still gets half a margin.
  double lo = std::max(0.0, ymin - ypad), hi = std::min(1.0, ymax + ypad);
  if (ymin - lo < 0.5 * ypad) lo = ymin - 0.5 * ypad;
  if (hi - ymax < 0.5 * ypad) hi = ymax + 0.5 * ypad;
  y->setRange(lo, hi);
  apply_figure_fonts(plot);
  plot->replot();
}

}  // namespace ps::gui
