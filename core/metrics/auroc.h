// Area under the ROC curve, pooled and per target gene (PerturbQA's official DE metric).
//
// AUROC = P(score of a random positive > score of a random negative), ties counting 1/2:
// the Mann-Whitney U statistic with average ranks. Items carry optional weights (bootstrap
// multiplicities), so one sort serves every resample: see AurocIndex.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace ps::metrics {

struct GroupAuroc {
  double mean = 0;           // mean AUROC over groups with both classes (NaN when none)
  int64_t groups_used = 0;   // groups with at least one positive and one negative
  int64_t groups_skipped = 0;  // single-class groups (PerturbQA skips them)
  std::vector<double> values;  // the AUROC of each used group, in group-id order
};

// Sorts the items once (by score, and by group then score) so that pooled and per-group
// AUROC under any item weights cost one linear pass. labels are 0/1; groups are small ids
// (e.g. the target gene's index); weights, when given, have one entry per item.
class AurocIndex {
 public:
  AurocIndex(const std::vector<double>& scores, const std::vector<int>& labels,
             const std::vector<int>& groups = {});

  // nullopt when the (weighted) items hold only one class.
  std::optional<double> pooled(const std::vector<double>* weights = nullptr) const;
  GroupAuroc per_group(const std::vector<double>* weights = nullptr) const;

 private:
  std::vector<double> scores_;
  std::vector<int> labels_;
  std::vector<int> groups_;
  std::vector<int32_t> by_score_;        // item indices sorted by score
  std::vector<int32_t> by_group_score_;  // sorted by (group, score)
};

// Convenience wrappers over AurocIndex.
std::optional<double> auroc(const std::vector<double>& scores, const std::vector<int>& labels);
GroupAuroc auroc_per_group(const std::vector<double>& scores, const std::vector<int>& labels,
                           const std::vector<int>& groups);

}  // namespace ps::metrics
