#include "metrics/calibration.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace ps::metrics {

namespace {
void check(const std::vector<double>& p, const std::vector<int>& y, const std::vector<double>* w) {
  if (p.size() != y.size() || (w && w->size() != p.size()))
    throw ps::Error("calibration: probabilities, labels and weights must have the same length");
}
}  // namespace

double brier(const std::vector<double>& probs, const std::vector<int>& labels, const std::vector<double>* weights) {
  check(probs, labels, weights);
  double sum = 0, n = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    const double w = weights ? (*weights)[i] : 1.0;
    const double d = probs[i] - labels[i];
    sum += w * d * d;
    n += w;
  }
  return n > 0 ? sum / n : std::nan("");
}

int bin_of(double p, int n_bins) {
  int b = static_cast<int>(std::floor(p * n_bins));
  return std::clamp(b, 0, n_bins - 1);
}

std::vector<ReliabilityBin> reliability_bins(const std::vector<double>& probs, const std::vector<int>& labels,
                                             int n_bins, const std::vector<double>* weights) {
  check(probs, labels, weights);
  if (n_bins < 1) throw ps::Error("calibration: the number of bins must be positive");
  std::vector<ReliabilityBin> bins(n_bins);
  std::vector<double> sum_p(n_bins, 0), sum_y(n_bins, 0);
  for (size_t i = 0; i < probs.size(); ++i) {
    const double w = weights ? (*weights)[i] : 1.0;
    const int b = bin_of(probs[i], n_bins);
    bins[b].count += w;
    sum_p[b] += w * probs[i];
    sum_y[b] += w * labels[i];
  }
  for (int b = 0; b < n_bins; ++b) {
    bins[b].lo = static_cast<double>(b) / n_bins;
    bins[b].hi = static_cast<double>(b + 1) / n_bins;
    bins[b].mean_confidence = bins[b].count > 0 ? sum_p[b] / bins[b].count : std::nan("");
    bins[b].accuracy = bins[b].count > 0 ? sum_y[b] / bins[b].count : std::nan("");
  }
  return bins;
}

double ece(const std::vector<double>& probs, const std::vector<int>& labels, int n_bins,
           const std::vector<double>* weights) {
  auto bins = reliability_bins(probs, labels, n_bins, weights);
  double total = 0, sum = 0;
  for (const auto& b : bins) {
    total += b.count;
    if (b.count > 0) sum += b.count * std::fabs(b.mean_confidence - b.accuracy);
  }
  return total > 0 ? sum / total : std::nan("");
}

}  // namespace ps::metrics
