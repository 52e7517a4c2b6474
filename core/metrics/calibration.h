// Calibration of probabilities p (of the DE class) against 0/1 labels y.
//   Brier = mean (p - y)^2
//   ECE   = sum_b (n_b / N) |mean p in b - mean y in b|, 10 equal-width bins [k/10, (k+1)/10),
//           left-closed, with p = 1.0 in the top bin (RLCR's np.digitize convention).
// Reliability bins carry what a reliability diagram draws. Empty bins have count 0 and
// NaN means; they add nothing to ECE.
#pragma once
#include <vector>

namespace ps::metrics {

struct ReliabilityBin {
  double lo = 0, hi = 0;         // [lo, hi), the top bin also holds hi = 1
  double count = 0;              // weighted number of items
  double mean_confidence = 0;    // NaN when empty
  double accuracy = 0;           // fraction of positives; NaN when empty
};

double brier(const std::vector<double>& probs, const std::vector<int>& labels,
             const std::vector<double>* weights = nullptr);

int bin_of(double p, int n_bins);  // 0..n_bins-1 (p outside [0,1] is clamped)

std::vector<ReliabilityBin> reliability_bins(const std::vector<double>& probs, const std::vector<int>& labels,
                                             int n_bins = 10, const std::vector<double>* weights = nullptr);

double ece(const std::vector<double>& probs, const std::vector<int>& labels, int n_bins = 10,
           const std::vector<double>* weights = nullptr);

}  // namespace ps::metrics
