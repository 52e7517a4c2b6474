// Hand-made data for every figure kind (no store, no data mirror), shared by the figure tests.
#pragma once
#include <QString>
#include <random>
#include <vector>

#include "curves_plot.h"
#include "metrics_adapter.h"
#include "neighbourhood_model.h"
#include "pareto_plot.h"
#include "reliability_model.h"

namespace pstest {

// Two cell lines of calibrated-by-construction predictions.
inline std::vector<ps::gui::ReliabilityCurve> fixture_reliability() {
  std::vector<ps::gui::ReliabilityCurve> out;
  unsigned seed = 7;
  for (const char* line : {"k562", "rpe1"}) {
    std::mt19937 rng(seed++);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> p;
    std::vector<int> y;
    for (int i = 0; i < 800; ++i) {
      p.push_back(std::pow(u(rng), 1.5));
      y.push_back(u(rng) < p.back() ? 1 : 0);
    }
    auto c = ps::gui::calibration_curve(p, y, 10);
    c.cell_line = line;
    c.label = QString("run 3 · %1").arg(line);
    out.push_back(std::move(c));
  }
  return out;
}

inline std::vector<ps::gui::RunCurves> fixture_curves() {
  std::vector<ps::gui::RunCurves> out;
  for (int r = 0; r < 2; ++r) {
    ps::gui::RunCurves rc;
    rc.run_id = 3 + r;
    rc.label = QString("run %1 · grpo").arg(rc.run_id);
    for (int s = 1; s <= 40; ++s) {
      rc.series["loss"].emplace_back(s, 1.2 * std::exp(-s / (12.0 + 5 * r)) + 0.1);
      rc.series["reward"].emplace_back(s, 0.2 + 0.5 * (1 - std::exp(-s / 15.0)) - 0.05 * r);
      if (s % 10 == 0) {
        rc.series["val/f1"].emplace_back(s, 0.5 + 0.006 * s - 0.02 * r);
        rc.series["val/ece"].emplace_back(s, 0.12 - 0.002 * s + 0.01 * r);
      }
    }
    out.push_back(std::move(rc));
  }
  return out;
}

inline std::vector<ps::gui::ParetoPoint> fixture_pareto() {
  std::vector<ps::gui::ParetoPoint> out;
  auto point = [&](const char* name, bool sel, double tau, double tokens, double f1, bool pareto) {
    ps::gui::ParetoPoint p;
    p.name = name;
    p.selective = sel;
    p.tau = tau;
    p.tokens_per_item = tokens;
    p.f1 = f1;
    p.f1_lo = f1 - 0.03;
    p.f1_hi = f1 + 0.03;
    p.pareto = pareto;
    out.push_back(p);
  };
  point("greedy", false, NAN, 220, 0.70, true);
  point("sc", false, NAN, 1760, 0.78, true);
  for (int i = 1; i <= 10; ++i) point("sc", true, i / 10.0, 220 + 150.0 * i, 0.70 + 0.08 * std::sqrt(i / 10.0), i < 10);
  return out;
}

inline ps::gui::Neighbourhood fixture_neighbourhood() {
  ps::gui::Neighbourhood n;
  n.centre = 0;
  n.symbol = "TP53";
  n.full_name = "tumor protein p53";
  n.degree = 400;
  const char* names[] = {"MDM2",   "CDKN1A",  "ATM",   "CHEK2", "BAX",    "BBC3",
                         "PMAIP1", "GADD45A", "SESN1", "RRM2B", "TP53I3", "ZMAT3"};
  for (int i = 0; i < 12; ++i) {
    ps::gui::NeighbourRow r;
    r.gene = i + 1;
    r.symbol = names[i];
    r.score = 1.0 - 0.06 * i;
    r.by_source = {r.score, 0.3 * (i % 3), 0.2 * (i % 2)};
    r.degree = 20 + 17 * i;
    r.vote = i % 3 == 0 ? 1 : (i % 3 == 1 ? 0 : -1);
    n.rows.push_back(r);
  }
  n.inner = {
      {0, 1, 0.8, ps::kg::Source::String}, {2, 3, 0.6, ps::kg::Source::Go}, {4, 5, 0.5, ps::kg::Source::Reactome}};
  return n;
}

}  // namespace pstest
