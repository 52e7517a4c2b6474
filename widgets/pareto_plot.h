// The cost/quality Pareto plot of test-time compute: F1 (default), Brier or ECE (with its 95 % CI)
// against mean generated tokens per item for every point of a TTC run's sweep (ttc/sweep.h: uniform
// strategies as large markers, each selective strategy's tau sweep as a line, the Pareto
// frontier as a step line). Read from a ttc run's summary (`perturbscope-cli ttc` stores
// {"strategies": [ScoredPoint::to_json(), ...]}). The report and
// `perturbscope export-figure --kind pareto` draw it with this one function.
#pragma once
#include <QString>
#include <cmath>
#include <cstdint>
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
  double brier = NAN, brier_lo = NAN, brier_hi = NAN;  // Brier score, lower is better
  double ece = NAN, ece_lo = NAN, ece_hi = NAN;        // ECE (10 bins), lower is better
  int64_t n = 0;                // items scored
  bool pareto = false;          // on the F1-vs-tokens frontier (ttc/sweep.h)
};

// The quality axis of the plot. The Pareto frontier (F1 up, tokens down) is drawn for F1 only.
enum class ParetoMetric { F1, Brier, Ece };
// The value, lower and upper CI bound of `m` (NaN when undefined).
double metric_value(const ParetoPoint& p, ParetoMetric m);
double metric_lo(const ParetoPoint& p, ParetoMetric m);
double metric_hi(const ParetoPoint& p, ParetoMetric m);

// The points of a ttc run's summary JSON ("strategies"); an empty list when the summary has
// none. Throws ps::Error naming `origin` and the field when a point is malformed.
std::vector<ParetoPoint> pareto_points(const std::string& summary_json, const std::string& origin);

// Clears `plot` and draws `points` (points with NaN tokens or NaN `metric` are left out); replots.
// `marked` >= 0: that point (an index into `points`) is drawn as the chosen operating point (a
// large ring, named in the legend).
void draw_pareto(QCustomPlot* plot, const std::vector<ParetoPoint>& points, ParetoMetric metric = ParetoMetric::F1,
                 int marked = -1);

}  // namespace ps::gui
