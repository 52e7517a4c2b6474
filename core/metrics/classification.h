// Precision, recall and F1 for the DE (positive) class.
// An item is predicted positive when its score is >= the threshold.
// Zero-division conventions (as sklearn's zero_division=0): precision is 0 with no
// predicted positives, recall is 0 with no actual positives, F1 is 0 when both are 0.
#pragma once
#include <vector>

namespace ps::metrics {

struct ThresholdMetrics {
  double threshold = 0.5;
  double precision = 0, recall = 0, f1 = 0;
  double tp = 0, fp = 0, fn = 0, tn = 0;  // weighted counts
};

ThresholdMetrics at_threshold(const std::vector<double>& scores, const std::vector<int>& labels,
                              double threshold, const std::vector<double>* weights = nullptr);

// The threshold among the distinct scores that maximises F1 (the highest such score on
// ties, i.e. the most conservative one). With no positives, returns F1 0 at threshold +inf.
ThresholdMetrics f1_optimal(const std::vector<double>& scores, const std::vector<int>& labels,
                            const std::vector<double>* weights = nullptr);

}  // namespace ps::metrics
