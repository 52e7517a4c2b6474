// Training curves as a figure: four panels (loss, mean reward, validation F1, validation ECE)
// against the optimisation step, one colour per run, read from the store's per-step metrics
// (train/recorder.h: "loss", "reward", "val/f1", "val/ece"; NULL points are left out).
// A panel whose metric no run logged says so in its axis title. The report (report.h) and
// `perturbscope export-figure --kind curves` draw it with this one function.
#pragma once
#include <QPointF>
#include <QString>
#include <map>
#include <vector>

#include "store/store.h"

class QCustomPlot;

namespace ps::gui {

struct CurvePanel {
  QString metric;  // the store's series name, e.g. "val/f1"
  QString title;   // the panel's y-axis title, e.g. "Validation F1"
};
// The four panels, in drawing order (row-major, 2 x 2).
std::vector<CurvePanel> training_curve_panels();

struct RunCurves {
  QString label;                                    // "run 3 · grpo"
  int64_t run_id = 0;
  std::map<QString, std::vector<QPointF>> series;   // metric -> (step, value), finite values only, by step
  bool empty() const;                               // no point in any panel's metric
};

// The panels' series of one run (throws ps::Error when the store cannot be read).
RunCurves training_curves(const ps::store::Store& store, int64_t run_id);

// Clears `plot` and draws the four panels with a legend of the runs on top; replots.
void draw_training_curves(QCustomPlot* plot, const std::vector<RunCurves>& runs);

}  // namespace ps::gui
