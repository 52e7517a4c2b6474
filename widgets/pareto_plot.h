// The cost/quality Pareto plot of test-time compute: F1 (with its 95 % CI) against mean
// generated tokens per item for every point of a TTC run's sweep (ttc/sweep.h: uniform
// strategies as large markers, each selective strategy's tau sweep as a line, the Pareto
// frontier as a step line). Read from a ttc run's summary (`perturbscope-cli ttc` stores
// {"strategies": [ScoredPoint::to_json(), ...]}). The report and
// `perturbscope export-figure --kind pareto` draw it with this one function.
#pragma once
#include <QString>
#include <cmath>
#include <string>
#include <vector>

class QCustomPlot;

namespace ps::gui {

struct ParetoPoint {
  QString name;                 // strategy: "greedy", "sc", "bf"
  bool selective = false;
  double tau = NAN;             // NaN for uniform points
  double tokens_per_item = NAN;
  double f1 = NAN, f1_lo = NAN, f1_hi = NAN;  // NaN when undefined (JSON null)
  bool pareto = false;
};

// The points of a ttc run's summary JSON ("strategies"); an empty list when the summary has
// none. Throws ps::Error naming `origin` and the field when a point is malformed.
std::vector<ParetoPoint> pareto_points(const std::string& summary_json, const std::string& origin);

// Clears `plot` and draws `points` (points with NaN tokens or F1 are left out); replots.
void draw_pareto(QCustomPlot* plot, const std::vector<ParetoPoint>& points);

}  // namespace ps::gui
