// The reliability diagram as a figure: observed DE fraction against mean predicted P(DE)
// per bin (95 % error bars, the diagonal of perfect calibration), the bin-count histogram
// under it, ECE (with its CI when known), Brier and n in the legend. The Reliability tab and
// the report (report.h, `perturbscope export-figure --kind reliability`) draw it with this
// one function, so a report figure is the GUI's figure.
#pragma once
#include <QString>
#include <vector>

#include "reliability_model.h"

class QCustomPlot;

namespace ps::gui {

// Clears `plot` (layout, plottables, legend) and draws `curves` (any number: one colour each, in
// order; after six colours they repeat with dashed, dotted, dash-dotted lines and square, triangle,
// diamond markers, so every curve stays distinct; each named in the legend; none: empty axes).
// Fonts in logical pixels (figure_style.h); replots.
void draw_reliability(QCustomPlot* plot, const std::vector<ReliabilityCurve>& curves);

// "LABEL: ECE 0.012, Brier 0.034" per curve, joined by " · " (the tab's caption).
QString reliability_caption(const std::vector<ReliabilityCurve>& curves);

}  // namespace ps::gui
