#include "metrics/auroc.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace ps::metrics {

namespace {

// Weighted Mann-Whitney over items[begin, end) already sorted by ascending score.
// For each block of tied scores: AUC numerator += pos_in_block * (neg_below + neg_in_block / 2).
// Returns nullopt when the weighted positives or negatives are zero.
std::optional<double> sorted_auroc(const std::vector<double>& scores, const std::vector<int>& labels,
                                   const int32_t* idx, size_t n, const std::vector<double>* w) {
  double neg_below = 0, numer = 0, pos_total = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    double pos = 0, neg = 0;
    const double s = scores[idx[i]];
    while (j < n && scores[idx[j]] == s) {
      const double wt = w ? (*w)[idx[j]] : 1.0;
      if (labels[idx[j]]) pos += wt; else neg += wt;
      ++j;
    }
    numer += pos * (neg_below + 0.5 * neg);
    neg_below += neg;
    pos_total += pos;
    i = j;
  }
  if (pos_total <= 0 || neg_below <= 0) return std::nullopt;
  return numer / (pos_total * neg_below);
}

}  // namespace

AurocIndex::AurocIndex(const std::vector<double>& scores, const std::vector<int>& labels,
                       const std::vector<int>& groups)
    : scores_(scores), labels_(labels), groups_(groups) {
  if (scores.size() != labels.size() || (!groups.empty() && groups.size() != scores.size()))
    throw ps::Error("AUROC: scores, labels and groups must have the same length");
  for (double s : scores)
    if (std::isnan(s)) throw ps::Error("AUROC: a score is NaN");
  by_score_.resize(scores.size());
  std::iota(by_score_.begin(), by_score_.end(), 0);
  std::sort(by_score_.begin(), by_score_.end(),
            [&](int32_t a, int32_t b) { return scores_[a] < scores_[b]; });
  if (!groups_.empty()) {
    by_group_score_ = by_score_;
    std::stable_sort(by_group_score_.begin(), by_group_score_.end(),
                     [&](int32_t a, int32_t b) { return groups_[a] < groups_[b]; });
  }
}

std::optional<double> AurocIndex::pooled(const std::vector<double>* weights) const {
  return sorted_auroc(scores_, labels_, by_score_.data(), by_score_.size(), weights);
}

GroupAuroc AurocIndex::per_group(const std::vector<double>* weights) const {
  if (groups_.empty()) throw ps::Error("AUROC: per-group AUROC needs group ids");
  GroupAuroc out;
  double sum = 0;
  size_t i = 0, n = by_group_score_.size();
  while (i < n) {
    size_t j = i;
    const int g = groups_[by_group_score_[i]];
    bool present = false;
    while (j < n && groups_[by_group_score_[j]] == g) {
      if (!weights || (*weights)[by_group_score_[j]] > 0) present = true;
      ++j;
    }
    if (present) {
      auto a = sorted_auroc(scores_, labels_, by_group_score_.data() + i, j - i, weights);
      if (a) {
        sum += *a;
        if (!weights) out.values.push_back(*a);
        ++out.groups_used;
      } else {
        ++out.groups_skipped;
      }
    }
    i = j;
  }
  out.mean = out.groups_used ? sum / out.groups_used : std::nan("");
  return out;
}

std::optional<double> auroc(const std::vector<double>& scores, const std::vector<int>& labels) {
  return AurocIndex(scores, labels).pooled();
}

GroupAuroc auroc_per_group(const std::vector<double>& scores, const std::vector<int>& labels,
                           const std::vector<int>& groups) {
  return AurocIndex(scores, labels, groups).per_group();
}

}  // namespace ps::metrics
