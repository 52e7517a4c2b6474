// Gradient-boosted regression trees for the KNN-KG combiner's stage 1 (kg/combiner.h), fitted with
// XGBoost (Debian's libxgboost-dev, C API) and evaluated here from the fitted trees.
//
//   f(x)  = b + sum_{t=1..T} tree_t(x),   tree_t(x) = the value of the leaf x reaches: at each inner
//           node go left when float(x_j) < split_j (XGBoost's rule, in single precision), else right
//   objective "rank:pairwise":  sum over groups g (the target gene), weight w_g, of the logistic
//           pair loss ln(1 + exp(-(f(x_i) - f(x_j)))) over sampled pairs (i DE, j not DE) of group g:
//           only how one target's pairs are ordered counts, as in PerturbQA's per-gene AUROC
//           (Burges, "From RankNet to LambdaRank to LambdaMART", MSR-TR-2010-82; XGBoost docs,
//           "Learning to Rank");
//   objective "binary:logistic": sum_i w_i [-y_i ln p_i - (1 - y_i) ln(1 - p_i)], p_i = sigmoid(f(x_i)).
// Trees: depth <= max_depth, shrinkage eta, XGBoost's "hist" method, leaf L2 lambda = 1, one thread,
// fixed seed, no row or column subsampling: the fit is deterministic. (Chen & Guestrin, "XGBoost: A
// Scalable Tree Boosting System", KDD 2016.)
// Early stopping: with an `inner` mask, a first fit on the other rows records, after each round, the
// per-gene AUROC (mean over groups, metrics::auroc_per_group) of the inner rows; the round count
// with the highest value (the first on ties) is then fitted on all rows.
// The trees are copied out of XGBoost's JSON model into plain arrays: evaluation is thread-safe,
// needs no XGBoost handle, and is checked against XGBoost's own margin on the fitting rows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ps::kg {

struct GbdtParams {
  std::string objective = "rank:pairwise";  // "rank:pairwise" (pairs within a group) | "binary:logistic"
  int max_depth = 3;       // tree depth, 1..12
  int rounds = 300;        // boosting rounds (with early stopping: the most tried), 1..5000
  double eta = 0.05;       // shrinkage (learning rate), in (0, 1]
  double min_child_weight = 1;  // least hessian sum in a leaf, >= 0
  int pairs = 1;           // rank:pairwise: pairs sampled per row and round (XGBoost's num_pairsample), 1..100
  uint64_t seed = 7;       // XGBoost's seed (nothing is sampled with these settings; kept for the record)
  // What is wrong, as (field, message) pairs; empty when valid. Fields: objective, max_depth, rounds,
  // eta, min_child_weight, pairs.
  std::vector<std::pair<std::string, std::string>> validate() const;
};

class GbdtRanker {
 public:
  GbdtRanker() = default;
  // x: n rows of d features (row-major, n*d values, finite); y: labels in {0, 1}; groups: one id per
  // row (the ranking groups; also the per-gene AUROC of early stopping); weights: empty or one
  // positive weight per row (for rank:pairwise, the weight of a group is its rows' mean weight);
  // inner: empty (no early stopping: `rounds` rounds) or one flag per row (1: inner validation row).
  // offset: empty, or one finite margin per row that boosting starts from (XGBoost's base_margin);
  // margin() leaves it out (the caller adds its own), and base is then 0.
  // When no inner group has both classes there is nothing to stop on: `rounds` rounds on all rows.
  // Throws ps::Error on bad shapes, labels, values or params, on an XGBoost failure (its message), and
  // when the inner or the other rows are empty.
  static GbdtRanker fit(const std::vector<double>& x, const std::vector<int>& y, size_t d, const std::vector<int>& groups,
                        const GbdtParams& params, const std::vector<double>& weights = {},
                        const std::vector<uint8_t>& inner = {}, const std::vector<double>& offset = {});

  bool fitted() const { return !trees_.empty(); }
  size_t dim() const { return d_; }
  size_t rounds() const { return trees_.size(); }
  double inner_auroc() const { return inner_auroc_; }  // the early-stopping score (NaN without)
  // f(x) for one row of dim() features (a margin: a logit for binary:logistic).
  double margin(const double* x) const;
  // {"objective":..,"rounds":..,"base":..,"inner_auroc":..,"trees":[{"left":[..],"right":[..],"feature":[..],
  //  "value":[..]},..]}
  std::string to_json() const;

 private:
  struct Tree {
    std::vector<int32_t> left, right, feature;  // left < 0: a leaf
    std::vector<float> value;                    // the split threshold, or the leaf value
    // (XGBoost's default directions for missing values are not kept: every feature here is finite.)
  };
  std::vector<Tree> trees_;
  double base_ = 0;
  size_t d_ = 0;
  std::string objective_;
  double inner_auroc_ = 0;
  friend struct GbdtFitter;
};

}  // namespace ps::kg
