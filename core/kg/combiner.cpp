#include "kg/combiner.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/error.h"

namespace ps::kg {

const std::vector<std::string>& knn_feature_names() {
  static const std::vector<std::string> names = {
      "knn_lift",          "tn_lift",           "strength",         "strength_5",      "strength_100",
      "string_vote_lift",  "go_vote_lift",      "reactome_vote_lift", "string_strength", "go_strength",
      "reactome_strength", "base_logit",        "log_votes",        "strength_x_base", "knn_lift_x_base",
      "no_neighbours",     "own_rate_lift",     "own_tn_lift",      "own_rate_x_base", "nearest_vote",
      "cov_20",            "cov_100",           "pos_20",           "pos_100",         "pos_400",
      "tn_pos",            "strength_count",    "pos_400_sharp",
      "module_20",         "module_100",        "pheno_20",         "pheno_100",
      "direct_string",     "direct_go",         "direct_reactome",  "own_de_closeness", "own_non_de_closeness",
      "own_closeness_diff", "side_label",       "side_present",     "side_rate_lift",
      "sim_top1",          "sim_mean_20",       "sim_sum_pool",     "de_count_20",     "de_count_100",
      "de_count_pool",     "listed_count_100"};
  return names;
}

namespace {

// Solves A x = r in place for a symmetric positive definite A (n x n, row-major). False when
// A is not positive definite.
bool cholesky_solve(std::vector<double>& a, std::vector<double>& r, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double s = a[j * n + j];
    for (size_t k = 0; k < j; ++k) s -= a[j * n + k] * a[j * n + k];
    if (!(s > 0)) return false;
    const double d = std::sqrt(s);
    a[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double t = a[i * n + j];
      for (size_t k = 0; k < j; ++k) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / d;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // L z = r
    double t = r[i];
    for (size_t k = 0; k < i; ++k) t -= a[i * n + k] * r[k];
    r[i] = t / a[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {  // L^T x = z
    double t = r[i];
    for (size_t k = i + 1; k < n; ++k) t -= a[k * n + i] * r[k];
    r[i] = t / a[i * n + i];
  }
  return true;
}

double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

}  // namespace

LogisticCombiner LogisticCombiner::from_weights(double intercept, std::vector<double> w) {
  LogisticCombiner c;
  c.b_ = intercept;
  c.mu_.assign(w.size(), 0);
  c.sd_.assign(w.size(), 1);
  c.w_ = std::move(w);
  return c;
}

LogisticCombiner LogisticCombiner::fit(const std::vector<double>& x_in, const std::vector<int>& y, size_t d, double l2,
                                       const std::vector<int>& groups, const std::vector<double>& weights) {
  if (d == 0) throw ps::Error("logistic combiner: no features");
  if (y.empty()) throw ps::Error("logistic combiner: no rows to fit");
  if (x_in.size() != y.size() * d)
    throw ps::Error("logistic combiner: " + std::to_string(x_in.size()) + " feature values for " +
                    std::to_string(y.size()) + " rows of " + std::to_string(d));
  if (!(l2 >= 0)) throw ps::Error("logistic combiner: l2 must be >= 0");
  if (!groups.empty() && groups.size() != y.size())
    throw ps::Error("logistic combiner: " + std::to_string(groups.size()) + " group ids for " +
                    std::to_string(y.size()) + " rows");
  const size_t n = y.size();
  if (!weights.empty() && weights.size() != n) throw ps::Error("logistic combiner: weights do not match the rows");
  for (double v : weights)
    if (!(v > 0) || !std::isfinite(v)) throw ps::Error("logistic combiner: row weights must be positive");
  auto wt = [&](size_t i) { return weights.empty() ? 1.0 : weights[i]; };
  // Centre within groups (a copy; the caller's rows stay as they are).
  std::vector<double> centred;
  if (!groups.empty()) {
    std::unordered_map<int, std::pair<std::vector<double>, double>> sums;
    for (size_t i = 0; i < n; ++i) {
      auto& s = sums[groups[i]];
      if (s.first.empty()) s.first.assign(d, 0.0);
      for (size_t j = 0; j < d; ++j) s.first[j] += x_in[i * d + j];
      s.second += 1;
    }
    centred.resize(x_in.size());
    for (size_t i = 0; i < n; ++i) {
      const auto& s = sums.at(groups[i]);
      for (size_t j = 0; j < d; ++j) centred[i * d + j] = x_in[i * d + j] - s.first[j] / s.second;
    }
  }
  const std::vector<double>& x = groups.empty() ? x_in : centred;
  LogisticCombiner c;
  c.mu_.assign(d, 0);
  c.sd_.assign(d, 0);
  double pos = 0;
  for (size_t i = 0; i < n; ++i) {
    if (y[i] != 0 && y[i] != 1) throw ps::Error("logistic combiner: label " + std::to_string(y[i]) + " at row " +
                                                std::to_string(i) + " (expected 0 or 1)");
    pos += y[i];
    for (size_t j = 0; j < d; ++j) {
      const double v = x[i * d + j];
      if (!std::isfinite(v))
        throw ps::Error("logistic combiner: non-finite feature " + std::to_string(j) + " at row " + std::to_string(i));
      c.mu_[j] += v;
    }
  }
  for (auto& m : c.mu_) m /= n;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) c.sd_[j] += (x[i * d + j] - c.mu_[j]) * (x[i * d + j] - c.mu_[j]);
  for (auto& s : c.sd_) s = s > 0 ? std::sqrt(s / n) : 1.0;
  c.w_.assign(d, 0);
  const double rate = std::clamp(pos / n, 1e-6, 1 - 1e-6);
  c.b_ = std::log(rate / (1 - rate));
  if (pos == 0 || pos == n) return c;  // single class: the intercept only
  const size_t p = d + 1;              // parameter 0 is the intercept
  // Standardised design, stored once.
  std::vector<double> zs(n * d);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) zs[i * d + j] = (x[i * d + j] - c.mu_[j]) / c.sd_[j];
  // The penalised negative log-likelihood at (b, w).
  auto objective = [&](double b, const std::vector<double>& w) {
    double nll = 0;
    for (size_t i = 0; i < n; ++i) {
      double eta = b;
      for (size_t j = 0; j < d; ++j) eta += w[j] * zs[i * d + j];
      // -ln p = ln(1 + e^-eta) for y = 1, -ln(1 - p) = ln(1 + e^eta) for y = 0
      const double m = y[i] ? -eta : eta;
      nll += wt(i) * (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)));
    }
    double pen = 0;
    for (double v : w) pen += v * v;
    return nll + 0.5 * l2 * pen;
  };
  std::vector<double> z(p), hess(p * p), grad(p), w_new(d);
  double f_old = objective(c.b_, c.w_);
  for (c.iterations_ = 1; c.iterations_ <= 50; ++c.iterations_) {
    std::fill(hess.begin(), hess.end(), 0.0);
    std::fill(grad.begin(), grad.end(), 0.0);
    for (size_t i = 0; i < n; ++i) {
      z[0] = 1;
      double eta = c.b_;
      for (size_t j = 0; j < d; ++j) z[j + 1] = zs[i * d + j], eta += c.w_[j] * z[j + 1];
      const double pi = sigmoid(eta), wi = wt(i) * std::max(pi * (1 - pi), 1e-12), ri = wt(i) * (y[i] - pi);
      for (size_t a = 0; a < p; ++a) {
        grad[a] += ri * z[a];
        const double wa = wi * z[a];
        for (size_t b = 0; b <= a; ++b) hess[a * p + b] += wa * z[b];
      }
    }
    for (size_t a = 0; a < p; ++a)
      for (size_t b = a + 1; b < p; ++b) hess[a * p + b] = hess[b * p + a];
    for (size_t j = 0; j < d; ++j) grad[j + 1] -= l2 * c.w_[j], hess[(j + 1) * p + (j + 1)] += l2;
    for (size_t a = 0; a < p; ++a) hess[a * p + a] += 1e-9 * n;  // positive definite when l2 = 0 and features are collinear
    if (!cholesky_solve(hess, grad, p)) throw ps::Error("logistic combiner: singular Hessian (collinear features?)");
    // Backtracking: halve the Newton step until the objective does not increase.
    double t = 1, f_new = 0, b_new = 0;
    for (int h = 0; h < 30; ++h, t *= 0.5) {
      b_new = c.b_ + t * grad[0];
      for (size_t j = 0; j < d; ++j) w_new[j] = c.w_[j] + t * grad[j + 1];
      f_new = objective(b_new, w_new);
      if (f_new <= f_old) break;
    }
    if (!(f_new <= f_old)) break;  // no descent left: at the optimum up to rounding
    double step = std::abs(b_new - c.b_);
    for (size_t j = 0; j < d; ++j) step = std::max(step, std::abs(w_new[j] - c.w_[j]));
    c.b_ = b_new, c.w_ = w_new, f_old = f_new;
    if (step < 1e-8) break;
  }
  c.iterations_ = std::min(c.iterations_, 50);
  return c;
}

double LogisticCombiner::logit(const double* x) const {
  double eta = b_;
  for (size_t j = 0; j < w_.size(); ++j) eta += w_[j] * (x[j] - mu_[j]) / sd_[j];
  return eta;
}

double LogisticCombiner::probability(const double* x) const { return sigmoid(logit(x)); }

std::string LogisticCombiner::to_json() const {
  nlohmann::json j = {{"intercept", b_}, {"weights", w_}, {"mean", mu_}, {"sd", sd_}, {"iterations", iterations_}};
  return j.dump();
}

// Chosen on validation splits carved from each cell line's train perturbers (README, "KNN-KG").
const std::vector<int>& KnnCombiner::seen_target_columns() {
  // knn_lift tn_lift strength base_logit pos_20 pos_100 pos_400 pos_400_sharp module_100 pheno_100
  // direct_string/go/reactome
  static const std::vector<int> cols = {0, 1, 2, 11, 22, 23, 24, 27, 29, 31, 32, 33, 34};
  return cols;
}

const std::vector<int>& KnnCombiner::unseen_target_columns() {
  // tn_lift strength strength_5 strength_100 string/go/reactome_strength own_rate_lift own_tn_lift
  // tn_pos strength_count direct_string/go/reactome own_de/non_de_closeness own_closeness_diff
  static const std::vector<int> cols = {1, 2, 3, 4, 8, 9, 10, 16, 17, 25, 26, 32, 33, 34, 35, 36, 37};
  return cols;
}

const std::vector<int>& KnnCombiner::side_columns() {
  static const std::vector<int> cols = {38, 39, 40};  // side_label side_present side_rate_lift
  return cols;
}

const std::vector<int>& KnnCombiner::gbdt_seen_target_columns() {
  // the seen-target columns, then strength_5 strength_100 string/go/reactome_vote_lift
  // string/go/reactome_strength log_votes nearest_vote cov_20 cov_100 tn_pos strength_count module_20
  // pheno_20 sim_top1 sim_mean_20 sim_sum_pool de_count_20 de_count_100 de_count_pool listed_count_100
  static const std::vector<int> cols = [] {
    std::vector<int> c = seen_target_columns();
    for (int j : {3, 4, 5, 6, 7, 8, 9, 10, 12, 19, 20, 21, 25, 26, 28, 30, 41, 42, 43, 44, 45, 46, 47}) c.push_back(j);
    return c;
  }();
  return cols;
}

const std::vector<int>& KnnCombiner::gbdt_unseen_target_columns() {
  // the unseen-target columns, then sim_top1 sim_mean_20 sim_sum_pool
  static const std::vector<int> cols = [] {
    std::vector<int> c = unseen_target_columns();
    for (int j : {41, 42, 43}) c.push_back(j);
    return c;
  }();
  return cols;
}

namespace {

// The checks both fits share; returns the rows' `columns` (row-major) and the per-target weights.
void select_columns(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                    const std::vector<int>& columns, std::vector<double>& xs, std::vector<double>& wts) {
  const size_t d = knn_feature_names().size(), n = y.size();
  if (x.size() != n * d) throw ps::Error("KNN combiner: feature rows do not match the feature names");
  if (groups.size() != n) throw ps::Error("KNN combiner: one target id per row is needed");
  if (columns.empty() || columns.size() > 64) throw ps::Error("KNN combiner: 1 to 64 feature columns");
  for (int c : columns)
    if (c < 0 || static_cast<size_t>(c) >= d) throw ps::Error("KNN combiner: feature column " + std::to_string(c) + " out of range");
  xs.clear();
  xs.reserve(n * columns.size());
  for (size_t i = 0; i < n; ++i)
    for (int c : columns) xs.push_back(x[i * d + c]);
  // Each target weighs the same in stage 1 (row weight 1 / its rows, rescaled to mean 1), as in
  // the per-gene AUROC, which averages over targets.
  std::unordered_map<int, double> per_group;
  for (int g : groups) per_group[g] += 1;
  wts.resize(n);
  for (size_t i = 0; i < n; ++i) wts[i] = static_cast<double>(n) / (per_group.size() * per_group[groups[i]]);
}

}  // namespace

KnnCombiner KnnCombiner::fit(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                             const std::vector<int>& columns, double l2) {
  KnnCombiner k;
  k.cols_ = columns;
  std::vector<double> xs, wts;
  select_columns(x, y, groups, columns, xs, wts);
  k.rank_ = LogisticCombiner::fit(xs, y, columns.size(), l2, groups, wts);
  k.fit_stage2(x, y);
  return k;
}

KnnCombiner KnnCombiner::fit_gbdt(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                                  const std::vector<int>& columns, const std::vector<int>& tree_columns, double l2,
                                  bool from_logistic, const GbdtParams& params, const std::vector<uint8_t>& inner) {
  KnnCombiner k;
  k.cols_ = columns;
  k.tree_cols_ = tree_columns;
  std::vector<double> xs, xt, wts;
  select_columns(x, y, groups, tree_columns, xt, wts);
  std::vector<double> offset;
  if (from_logistic) {
    select_columns(x, y, groups, columns, xs, wts);
    k.rank_ = LogisticCombiner::fit(xs, y, columns.size(), l2, groups, wts);
    offset.resize(y.size());
    for (size_t i = 0; i < y.size(); ++i) offset[i] = k.rank_.logit(&xs[i * columns.size()]);
  }
  k.trees_ = std::make_shared<const GbdtRanker>(
      GbdtRanker::fit(xt, y, tree_columns.size(), groups, params, wts, inner, offset));
  k.fit_stage2(x, y);
  return k;
}

double KnnCombiner::stage1(const double* row) const {
  double buf[64];
  double r = 0;
  if (rank_.fitted()) {
    for (size_t j = 0; j < cols_.size(); ++j) buf[j] = row[cols_[j]];
    r += rank_.logit(buf);
  }
  if (trees_) {
    for (size_t j = 0; j < tree_cols_.size(); ++j) buf[j] = row[tree_cols_[j]];
    r += trees_->margin(buf);
  }
  return r;
}

void KnnCombiner::fit_stage2(const std::vector<double>& x, const std::vector<int>& y) {
  // Stage 2: P(DE) from the ranking score and the target's base rate.
  const size_t d = knn_feature_names().size(), n = y.size();
  const size_t base_col = 11;  // base_logit
  std::vector<double> x2;
  x2.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) x2.push_back(stage1(&x[i * d])), x2.push_back(x[i * d + base_col]);
  calib_ = LogisticCombiner::fit(x2, y, 2, 1e-6);
  if (calib_.weights()[0] < 1e-3) {  // keep P(DE) increasing in r (a degenerate fit; not seen in practice)
    auto w = calib_.weights();
    w[0] = 1e-3;
    auto c = LogisticCombiner::from_weights(calib_.intercept(), w);
    c.mu_ = calib_.mu_, c.sd_ = calib_.sd_;
    calib_ = c;
  }
}

double KnnCombiner::rank_score(const std::vector<double>& f) const {
  if (f.size() != knn_feature_names().size()) throw ps::Error("KNN combiner: a feature row of the wrong size");
  return stage1(f.data());
}

double KnnCombiner::probability(const std::vector<double>& f) const {
  const double x2[2] = {rank_score(f), f.at(11)};
  return calib_.probability(x2);
}

std::string KnnCombiner::to_json() const {
  nlohmann::json j = {{"columns", cols_}, {"calibration", nlohmann::json::parse(calib_.to_json())}};
  if (rank_.fitted()) j["rank"] = nlohmann::json::parse(rank_.to_json());
  if (trees_) j["kind"] = "gbdt", j["tree_columns"] = tree_cols_, j["trees"] = nlohmann::json::parse(trees_->to_json());
  return j.dump();
}

}  // namespace ps::kg
