#include "metrics_adapter.h"

#include <algorithm>
#include <cmath>

#include "metrics/bootstrap.h"
#include "metrics/calibration.h"

namespace ps::gui {

// Wilson score interval of a binomial fraction: well-behaved for small bins and
// fractions near 0 or 1 (core/metrics has no per-bin interval).
static void wilson(double k, double n, double* low, double* high) {
  if (n <= 0) { *low = *high = 0; return; }
  const double z = 1.959964, p = k / n, z2n = z * z / n;
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z2n);
  *low = std::max(0.0, centre - half);
  *high = std::min(1.0, centre + half);
}

ReliabilityCurve calibration_curve(const std::vector<double>& confidence, const std::vector<int>& label, int n_bins) {
  ReliabilityCurve c;
  c.n = int64_t(confidence.size());
  if (confidence.empty()) return c;
  for (const ps::metrics::ReliabilityBin& b : ps::metrics::reliability_bins(confidence, label, n_bins)) {
    ReliabilityBin bin;
    bin.lower = b.lo;
    bin.upper = b.hi;
    bin.count = int64_t(std::llround(b.count));
    if (bin.count > 0) {
      bin.mean_confidence = b.mean_confidence;
      bin.accuracy = b.accuracy;
      wilson(b.accuracy * b.count, b.count, &bin.ci_low, &bin.ci_high);
    }
    c.bins.push_back(bin);
  }
  c.brier = ps::metrics::brier(confidence, label);
  c.ece = ps::metrics::ece(confidence, label, n_bins);
  // The ECE's own 95 % interval, as the CLI reports it: 1,000 item resamples, seed 0.
  auto ci = ps::metrics::bootstrap_cis(confidence.size(), 1, [&](const std::vector<double>& w, std::vector<double>& out) {
    out[0] = ps::metrics::ece(confidence, label, n_bins, &w);
  });
  if (!ci.empty() && std::isfinite(ci[0].lo)) {
    c.ece_ci_low = ci[0].lo;
    c.ece_ci_high = ci[0].hi;
  }
  return c;
}

}  // namespace ps::gui
