// Precision, recall and F1 for the DE (positive) class.
// An item is predicted positive when its score is >= the threshold.
//   precision = tp / (tp + fp)          undefined with no predicted positives
//   recall    = tp / (tp + fn)          undefined with no actual positives
//   F1        = 2 tp / (2 tp + fp + fn) undefined only when there are neither (all labels and
//                                       all predictions negative)
// This is scikit-learn's definition (precision_recall_fscore_support, >= 1.3: F1 from the counts,
// zero_division applying where the denominator is 0), except that an undefined value is NaN here
// (JSON null, SQL NULL), never zero_division's 0 or 1: e.g. F1 is 0, not undefined, when
// positives exist but none is predicted, while its precision is undefined.
#pragma once
#include <cmath>
#include <vector>

namespace ps::metrics {

struct ThresholdMetrics {
  double threshold = 0.5;
  double precision = NAN, recall = NAN, f1 = NAN;  // NaN: undefined (see above)
  double tp = 0, fp = 0, fn = 0, tn = 0;  // weighted counts
};

ThresholdMetrics at_threshold(const std::vector<double>& scores, const std::vector<int>& labels,
                              double threshold, const std::vector<double>* weights = nullptr);

// The threshold among the distinct scores that maximises F1 (the highest such score on
// ties, i.e. the most conservative one). With no positives F1 is 0 or undefined at every threshold,
// so no threshold is optimal: returns threshold +inf (nothing predicted positive) with precision,
// recall and F1 undefined (NaN).
ThresholdMetrics f1_optimal(const std::vector<double>& scores, const std::vector<int>& labels,
                            const std::vector<double>* weights = nullptr);

}  // namespace ps::metrics
