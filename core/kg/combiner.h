// The learned combiner of KNN-KG: an L2-regularised logistic regression over the
// neighbour-vote features of one prediction, fitted by Newton's method (IRLS).
//
//   x      = the feature vector of a (perturber, target) pair (knn_feature_names(), below),
//   z_j    = (x_j - mu_j) / sd_j          (mu, sd: the fitting rows' mean and SD; sd 0 -> 1)
//   P(DE)  = sigmoid(b + sum_j w_j z_j)
//   fitted by minimising  -sum_i [y_i ln p_i + (1 - y_i) ln(1 - p_i)] + (l2 / 2) |w|^2
//   (the intercept b is not penalised), Newton steps with the exact Hessian
//   X^T diag(p (1 - p)) X + l2 I solved by Cholesky, each step halved until the objective does
//   not increase, until the largest step < 1e-8 or 50 steps.
// (Hastie, Tibshirani & Friedman, The Elements of Statistical Learning, 2nd ed., sec. 4.4.1.)
// The objective is strictly convex for l2 > 0, so the fit is unique and deterministic.
//
// With `groups` (one id per row: the target gene), every feature is centred within its group
// before the fit, so the weights describe how pairs of one target differ (the conditional, or
// fixed-effects, view of a per-target ranking; PerturbQA's metric is the per-gene AUROC), not
// how targets differ from each other.
//
// KnnCombiner (below) is what KnnModel uses: stage 1, a group-centred regression on a subset of
// the features, each target's rows weighted 1 / (its row count) so targets count equally as in
// the per-gene AUROC, gives the ranking score r; stage 2, a plain regression on (r, base_logit),
// gives P(DE) across targets. Stage 2's weight on r is kept >= 1e-3, so P(DE) ranks the pairs
// of one target exactly as r does. The rows both stages are fitted on are out-of-fold
// predictions of KnnModel: neighbours' labels from models that never saw the row's perturber
// (or, for the unseen-target combiner, its target).
//
// The `gbdt` variant (KnnCombiner::fit_gbdt) adds boosted trees (kg/gbdt.h) to stage 1: on more,
// uncentred columns (gbdt_seen_target_columns()), fitted to rank each target's pairs (XGBoost's
// rank:pairwise, groups = targets, the same per-target weights), starting from the logistic stage 1's
// score (r = logistic logit + tree margin; or from 0), the round count chosen by early stopping on one
// out-of-fold perturber fold; stage 2 is the same regression on (r, base_logit). The unseen-target
// combiner gets the same treatment (gbdt_unseen_target_columns(), early stopping on one target fold).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kg/gbdt.h"

namespace ps::kg {

// The names of the features KnnModel computes for each prediction, in order (see knn.h).
const std::vector<std::string>& knn_feature_names();

class LogisticCombiner {
 public:
  LogisticCombiner() = default;
  // x: n rows of d features (row-major, n*d values); y: n labels in {0, 1}. l2 >= 0 is on the
  // standardised scale. Throws ps::Error on empty input, mismatched sizes, labels outside {0, 1}
  // or non-finite features. A single-class y gives w = 0 and b = the (clamped) log-odds.
  // groups: empty, or one id per row (features centred within each id before the fit).
  // weights: empty, or one positive weight per row (the log-likelihood terms are weighted).
  static LogisticCombiner fit(const std::vector<double>& x, const std::vector<int>& y, size_t d, double l2,
                              const std::vector<int>& groups = {}, const std::vector<double>& weights = {});
  // A fit with the given intercept and standardised weights (mean 0, SD 1); for tests and stage 2 guards.
  static LogisticCombiner from_weights(double intercept, std::vector<double> w);

  bool fitted() const { return !w_.empty(); }
  size_t dim() const { return w_.size(); }
  double logit(const double* x) const;  // b + w . z
  double probability(const double* x) const;
  const std::vector<double>& weights() const { return w_; }  // on the standardised scale
  double intercept() const { return b_; }
  int iterations() const { return iterations_; }
  std::string to_json() const;  // {"intercept":..,"weights":[..],"mean":[..],"sd":[..]}

 private:
  friend class KnnCombiner;
  std::vector<double> w_, mu_, sd_;
  double b_ = 0;
  int iterations_ = 0;
};

// The two-stage combiner over KnnModel's feature vectors (see the top of this file).
class KnnCombiner {
 public:
  // The feature columns stage 1 uses: for pairs whose target has train labels (the perturber
  // unseen, PerturbQA's official split), and for pairs whose target has none but whose
  // perturber has (the unseen-target regime; the perturber's own labels on other targets).
  static const std::vector<int>& seen_target_columns();
  static const std::vector<int>& unseen_target_columns();
  // Added to either when KnnModel has other cell lines' labels (cross-cell-line evidence).
  static const std::vector<int>& side_columns();
  // The columns of the gbdt variant's stage 1 for pairs whose target has train labels: the seen-target
  // columns plus raw counts and interaction-friendly values (trees need no lifts or products).
  static const std::vector<int>& gbdt_seen_target_columns();
  // The same for the unseen-target regime: its columns plus sim_top1, sim_mean_20, sim_sum_pool.
  static const std::vector<int>& gbdt_unseen_target_columns();

  // x: rows of knn_feature_names().size() features; groups: the target id of each row.
  static KnnCombiner fit(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                         const std::vector<int>& columns, double l2);
  // Stage 1 by boosted trees (kg/gbdt.h; no centring, the per-target weights above) on tree_columns;
  // with from_logistic, the logistic stage 1 above (on `columns`, penalty l2) is fitted first and the
  // trees start from its score (XGBoost's base_margin), so stage 1 = logistic logit + tree margin.
  // inner: empty, or one flag per row marking the early-stopping rows (one out-of-fold perturber fold).
  static KnnCombiner fit_gbdt(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                              const std::vector<int>& columns, const std::vector<int>& tree_columns, double l2,
                              bool from_logistic, const GbdtParams& params, const std::vector<uint8_t>& inner = {});
  bool fitted() const { return rank_.fitted() || trees_ != nullptr; }
  double rank_score(const std::vector<double>& features) const;   // stage 1 (a logit or tree margin, within-target)
  double probability(const std::vector<double>& features) const;  // stage 2
  const LogisticCombiner& ranker() const { return rank_; }        // stage 1 of the logistic variant
  const GbdtRanker* trees() const { return trees_.get(); }        // stage 1 of the gbdt variant (else nullptr)
  const LogisticCombiner& calibrator() const { return calib_; }
  const std::vector<int>& columns() const { return cols_; }            // the logistic stage 1's
  const std::vector<int>& tree_columns() const { return tree_cols_; }  // the trees' (gbdt only)
  std::string to_json() const;

 private:
  std::vector<int> cols_, tree_cols_;
  LogisticCombiner rank_, calib_;
  std::shared_ptr<const GbdtRanker> trees_;  // immutable once fitted; shared by copies
  double stage1(const double* row) const;  // a full feature row (knn_feature_names() order) -> stage-1 score
  // Stage 2 on (stage-1 score of each row, base_logit); x: full feature rows.
  void fit_stage2(const std::vector<double>& x, const std::vector<int>& y);
};

}  // namespace ps::kg
