#include "kg/gbdt.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "common/error.h"
#include "metrics/auroc.h"

namespace ps::kg {

namespace {

void xgb(int rc, const char* what) {
  if (rc != 0) throw ps::Error(std::string("GBDT combiner: XGBoost ") + what + " failed: " + XGBGetLastError());
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  ~DMatrix() {
    if (h) XGDMatrixFree(h);
  }
};
struct Booster {
  BoosterHandle h = nullptr;
  ~Booster() {
    if (h) XGBoosterFree(h);
  }
};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> GbdtParams::validate() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (objective != "rank:pairwise" && objective != "binary:logistic")
    out.emplace_back("objective", "objective must be 'rank:pairwise' or 'binary:logistic', not '" + objective + "'");
  if (max_depth < 1 || max_depth > 12)
    out.emplace_back("max_depth", "max_depth must be between 1 and 12, not " + std::to_string(max_depth));
  if (rounds < 1 || rounds > 5000) out.emplace_back("rounds", "rounds must be between 1 and 5000, not " + std::to_string(rounds));
  if (!(eta > 0 && eta <= 1)) out.emplace_back("eta", "eta must be in (0, 1], not " + num(eta));
  if (pairs < 1 || pairs > 100) out.emplace_back("pairs", "pairs must be between 1 and 100, not " + std::to_string(pairs));
  if (!(min_child_weight >= 0 && std::isfinite(min_child_weight)))
    out.emplace_back("min_child_weight", "min_child_weight must be a finite number >= 0, not " + num(min_child_weight));
  return out;
}

// One XGBoost fit on a subset of the rows, its trees copied out.
struct GbdtFitter {
  const std::vector<double>& x;
  const std::vector<int>& y;
  size_t d;
  const std::vector<int>& groups;
  const GbdtParams& p;
  const std::vector<double>& weights;
  const std::vector<double>& offset;

  GbdtRanker fit(const std::vector<size_t>& rows, int rounds) const {
    const bool rank = p.objective == "rank:pairwise";
    // Ranking needs each group's rows together: order by group (stable, so by row within a group).
    std::vector<size_t> order = rows;
    if (rank) std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups[a] < groups[b]; });
    const size_t n = order.size();
    std::vector<float> data(n * d), label(n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < d; ++j) data[i * d + j] = static_cast<float>(x[order[i] * d + j]);
      label[i] = static_cast<float>(y[order[i]]);
    }
    DMatrix dm;
    xgb(XGDMatrixCreateFromMat_omp(data.data(), n, d, std::numeric_limits<float>::quiet_NaN(), &dm.h, 1),
        "creating the training matrix");
    xgb(XGDMatrixSetFloatInfo(dm.h, "label", label.data(), n), "setting the labels");
    if (!offset.empty()) {
      std::vector<float> bm(n);
      for (size_t i = 0; i < n; ++i) bm[i] = static_cast<float>(offset[order[i]]);
      xgb(XGDMatrixSetFloatInfo(dm.h, "base_margin", bm.data(), n), "setting the base margins");
    }
    if (rank) {
      std::vector<unsigned> sizes;
      std::vector<float> gw;
      double wsum = 0;
      for (size_t i = 0; i < n; ++i) {
        if (i == 0 || groups[order[i]] != groups[order[i - 1]]) {
          if (i > 0) gw.back() = static_cast<float>(wsum / sizes.back());
          sizes.push_back(0), gw.push_back(1), wsum = 0;
        }
        sizes.back() += 1;
        wsum += weights.empty() ? 1.0 : weights[order[i]];
      }
      gw.back() = static_cast<float>(wsum / sizes.back());
      xgb(XGDMatrixSetUIntInfo(dm.h, "group", sizes.data(), sizes.size()), "setting the groups");
      if (!weights.empty()) xgb(XGDMatrixSetFloatInfo(dm.h, "weight", gw.data(), gw.size()), "setting the group weights");
    } else if (!weights.empty()) {
      std::vector<float> w(n);
      for (size_t i = 0; i < n; ++i) w[i] = static_cast<float>(weights[order[i]]);
      xgb(XGDMatrixSetFloatInfo(dm.h, "weight", w.data(), n), "setting the row weights");
    }
    Booster b;
    xgb(XGBoosterCreate(&dm.h, 1, &b.h), "creating the booster");
    const std::pair<const char*, std::string> params[] = {
        {"nthread", "1"}, {"verbosity", "0"}, {"tree_method", "hist"}, {"objective", p.objective},
        {"max_depth", std::to_string(p.max_depth)}, {"eta", num(p.eta)}, {"min_child_weight", num(p.min_child_weight)},
        {"seed", std::to_string(p.seed)}, {"subsample", "1"}, {"colsample_bytree", "1"}, {"lambda", "1"}};
    for (const auto& [k, v] : params) xgb(XGBoosterSetParam(b.h, k, v.c_str()), "setting a parameter");
    if (rank) xgb(XGBoosterSetParam(b.h, "num_pairsample", std::to_string(p.pairs).c_str()), "setting a parameter");
    for (int r = 0; r < rounds; ++r) xgb(XGBoosterUpdateOneIter(b.h, r, dm.h), "boosting");
    bst_ulong len = 0;
    const char* buf = nullptr;
    xgb(XGBoosterSaveModelToBuffer(b.h, R"({"format": "json"})", &len, &buf), "saving the model");
    GbdtRanker out;
    out.d_ = d;
    out.objective_ = p.objective;
    out.inner_auroc_ = std::nan("");
    try {
      const auto j = nlohmann::json::parse(std::string(buf, len));
      for (const auto& t : j.at("learner").at("gradient_booster").at("model").at("trees")) {
        GbdtRanker::Tree tree;
        tree.left = t.at("left_children").get<std::vector<int32_t>>();
        tree.right = t.at("right_children").get<std::vector<int32_t>>();
        tree.feature = t.at("split_indices").get<std::vector<int32_t>>();
        tree.value = t.at("split_conditions").get<std::vector<float>>();
        const size_t m = tree.left.size();
        if (m == 0 || tree.right.size() != m || tree.feature.size() != m || tree.value.size() != m)
          throw ps::Error("GBDT combiner: malformed tree in XGBoost's model");
        for (size_t i = 0; i < m; ++i)
          if (tree.left[i] >= 0 && (static_cast<size_t>(tree.left[i]) >= m || tree.right[i] < 0 ||
                                    static_cast<size_t>(tree.right[i]) >= m || tree.feature[i] < 0 ||
                                    static_cast<size_t>(tree.feature[i]) >= d))
            throw ps::Error("GBDT combiner: malformed tree in XGBoost's model");
        out.trees_.push_back(std::move(tree));
      }
    } catch (const nlohmann::json::exception& e) {
      throw ps::Error(std::string("GBDT combiner: unexpected XGBoost model JSON: ") + e.what());
    }
    if (static_cast<int>(out.trees_.size()) != rounds)
      throw ps::Error("GBDT combiner: XGBoost returned " + std::to_string(out.trees_.size()) + " trees for " +
                      std::to_string(rounds) + " rounds");
    // The base margin, and a check of the copied trees: XGBoost's own margins on (up to) 2000 fitting rows.
    const char* cfg = R"({"type": 1, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* pred = nullptr;
    xgb(XGBoosterPredictFromDMatrix(b.h, dm.h, cfg, &shape, &dim, &pred), "predicting");
    auto off = [&](size_t row) { return offset.empty() ? 0.0 : static_cast<double>(static_cast<float>(offset[row])); };
    out.base_ = 0;
    if (offset.empty()) out.base_ = pred[0] - out.margin(&x[order[0] * d]);
    for (size_t i = 0; i < std::min<size_t>(n, 2000); ++i) {
      const double mine = out.margin(&x[order[i] * d]) + off(order[i]);
      if (!(std::abs(mine - pred[i]) <= 1e-3 * (1 + std::abs(pred[i]))))
        throw ps::Error("GBDT combiner: the copied trees disagree with XGBoost at row " + std::to_string(order[i]) +
                        " (" + num(mine) + " vs " + num(pred[i]) + ")");
    }
    return out;
  }
};

GbdtRanker GbdtRanker::fit(const std::vector<double>& x, const std::vector<int>& y, size_t d, const std::vector<int>& groups,
                           const GbdtParams& params, const std::vector<double>& weights,
                           const std::vector<uint8_t>& inner, const std::vector<double>& offset) {
  const auto problems = params.validate();
  if (!problems.empty()) throw ps::Error("GBDT combiner: " + problems.front().second);
  const size_t n = y.size();
  if (d == 0) throw ps::Error("GBDT combiner: no features");
  if (n == 0) throw ps::Error("GBDT combiner: no rows to fit");
  if (x.size() != n * d)
    throw ps::Error("GBDT combiner: " + std::to_string(x.size()) + " feature values for " + std::to_string(n) +
                    " rows of " + std::to_string(d));
  if (groups.size() != n) throw ps::Error("GBDT combiner: one group id per row is needed");
  if (!weights.empty() && weights.size() != n) throw ps::Error("GBDT combiner: weights do not match the rows");
  if (!inner.empty() && inner.size() != n) throw ps::Error("GBDT combiner: the inner mask does not match the rows");
  if (!offset.empty() && offset.size() != n) throw ps::Error("GBDT combiner: the offsets do not match the rows");
  for (double v : offset)
    if (!std::isfinite(v)) throw ps::Error("GBDT combiner: offsets must be finite");
  for (size_t i = 0; i < n; ++i) {
    if (y[i] != 0 && y[i] != 1)
      throw ps::Error("GBDT combiner: label " + std::to_string(y[i]) + " at row " + std::to_string(i) + " (expected 0 or 1)");
    if (!weights.empty() && !(weights[i] > 0 && std::isfinite(weights[i])))
      throw ps::Error("GBDT combiner: row weights must be positive");
  }
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw ps::Error("GBDT combiner: non-finite feature " + std::to_string(i % d) + " at row " + std::to_string(i / d));
  const GbdtFitter fitter{x, y, d, groups, params, weights, offset};
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), size_t{0});
  if (inner.empty()) return fitter.fit(all, params.rounds);
  std::vector<size_t> fit_rows, val_rows;
  for (size_t i = 0; i < n; ++i) (inner[i] ? val_rows : fit_rows).push_back(i);
  if (fit_rows.empty() || val_rows.empty()) throw ps::Error("GBDT combiner: early stopping needs inner and other rows");
  {  // Nothing to stop on (no inner group with both classes): `rounds` rounds on all rows.
    std::unordered_map<int, int> seen;  // bit 1: a 0 label, bit 2: a 1 label
    bool usable = false;
    for (size_t i : val_rows) usable = usable || (seen[groups[i]] |= (y[i] ? 2 : 1)) == 3;
    if (!usable) return fitter.fit(all, params.rounds);
  }
  const GbdtRanker first = fitter.fit(fit_rows, params.rounds);
  // The inner rows' per-gene AUROC after each round (margins accumulated tree by tree).
  std::vector<double> m(val_rows.size(), first.base_);
  if (!offset.empty())
    for (size_t i = 0; i < val_rows.size(); ++i) m[i] += offset[val_rows[i]];
  std::vector<int> vy(val_rows.size()), vg(val_rows.size());
  for (size_t i = 0; i < val_rows.size(); ++i) vy[i] = y[val_rows[i]], vg[i] = groups[val_rows[i]];
  {  // group ids made small for auroc_per_group
    std::unordered_map<int, int> ids;
    for (auto& g : vg) g = ids.emplace(g, static_cast<int>(ids.size())).first->second;
  }
  double best = -1;
  int best_rounds = 0;
  for (size_t t = 0; t < first.trees_.size(); ++t) {
    const Tree& tree = first.trees_[t];
    for (size_t i = 0; i < val_rows.size(); ++i) {
      const double* row = &x[val_rows[i] * d];
      int32_t k = 0;
      while (tree.left[k] >= 0) k = static_cast<float>(row[tree.feature[k]]) < tree.value[k] ? tree.left[k] : tree.right[k];
      m[i] += tree.value[k];
    }
    const double a = metrics::auroc_per_group(m, vy, vg).mean;
    if (a > best) best = a, best_rounds = static_cast<int>(t + 1);
  }
  GbdtRanker out = fitter.fit(all, best_rounds);
  out.inner_auroc_ = best;
  return out;
}

double GbdtRanker::margin(const double* x) const {
  double s = base_;
  for (const Tree& t : trees_) {
    int32_t k = 0;
    while (t.left[k] >= 0) k = static_cast<float>(x[t.feature[k]]) < t.value[k] ? t.left[k] : t.right[k];
    s += t.value[k];
  }
  return s;
}

std::string GbdtRanker::to_json() const {
  nlohmann::json trees = nlohmann::json::array();
  for (const Tree& t : trees_)
    trees.push_back({{"left", t.left}, {"right", t.right}, {"feature", t.feature}, {"value", t.value}});
  nlohmann::json j = {{"objective", objective_}, {"rounds", trees_.size()}, {"base", base_}, {"trees", trees}};
  j["inner_auroc"] = std::isfinite(inner_auroc_) ? nlohmann::json(inner_auroc_) : nlohmann::json(nullptr);
  return j.dump();
}

}  // namespace ps::kg
