#include "metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/error.h"

namespace ps::metrics {

namespace {

// Undefined ratios (0/0) are NaN, never 0 (classification.h).
void finish(ThresholdMetrics& m) {
  const double undefined = std::nan("");
  m.precision = (m.tp + m.fp) > 0 ? m.tp / (m.tp + m.fp) : undefined;
  m.recall = (m.tp + m.fn) > 0 ? m.tp / (m.tp + m.fn) : undefined;
  const double denom = 2 * m.tp + m.fp + m.fn;
  m.f1 = denom > 0 ? 2 * m.tp / denom : undefined;
}

void check(const std::vector<double>& scores, const std::vector<int>& labels, const std::vector<double>* w) {
  if (scores.size() != labels.size() || (w && w->size() != scores.size()))
    throw ps::Error("F1: scores, labels and weights must have the same length");
}

}  // namespace

ThresholdMetrics at_threshold(const std::vector<double>& scores, const std::vector<int>& labels,
                              double threshold, const std::vector<double>* weights) {
  check(scores, labels, weights);
  ThresholdMetrics m;
  m.threshold = threshold;
  for (size_t i = 0; i < scores.size(); ++i) {
    const double w = weights ? (*weights)[i] : 1.0;
    const bool pred = scores[i] >= threshold;
    if (labels[i]) (pred ? m.tp : m.fn) += w;
    else (pred ? m.fp : m.tn) += w;
  }
  finish(m);
  return m;
}

ThresholdMetrics f1_optimal(const std::vector<double>& scores, const std::vector<int>& labels,
                            const std::vector<double>* weights) {
  check(scores, labels, weights);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double pos_total = 0, neg_total = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const double w = weights ? (*weights)[i] : 1.0;
    (labels[i] ? pos_total : neg_total) += w;
  }
  ThresholdMetrics best;
  best.threshold = std::numeric_limits<double>::infinity();
  best.fn = pos_total;
  best.tn = neg_total;
  finish(best);
  // Lower the threshold one distinct score at a time: everything >= it is predicted positive.
  double tp = 0, fp = 0;
  size_t i = 0;
  while (i < order.size()) {
    const double s = scores[order[i]];
    while (i < order.size() && scores[order[i]] == s) {
      const double w = weights ? (*weights)[order[i]] : 1.0;
      (labels[order[i]] ? tp : fp) += w;
      ++i;
    }
    ThresholdMetrics m;
    m.threshold = s;
    m.tp = tp;
    m.fp = fp;
    m.fn = pos_total - tp;
    m.tn = neg_total - fp;
    finish(m);
    if (m.f1 > best.f1) best = m;  // false while F1 is NaN: without positives, best stays at +inf, undefined
  }
  return best;
}

}  // namespace ps::metrics
