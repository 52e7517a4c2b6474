// The one place the widgets turn (confidence, label) pairs into calibration
// numbers, so the plots show exactly what the CLI reports.
#pragma once
#include <vector>

#include "reliability_model.h"

namespace ps::gui {

// Bins, ECE and Brier from core/metrics (10 equal-width bins [k/10, (k+1)/10), 1.0 in the top
// bin), plus a 95 % Wilson interval of each bin's observed fraction and a bootstrap ECE interval.
ReliabilityCurve calibration_curve(const std::vector<double>& confidence, const std::vector<int>& label, int n_bins);

}  // namespace ps::gui
