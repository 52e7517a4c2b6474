#include "kg/knn.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <type_traits>

#include "common/error.h"
#include "common/parallel.h"

namespace ps::kg {

namespace {

double logit(double p) {
  p = std::clamp(p, 1e-4, 1 - 1e-4);
  return std::log(p / (1 - p));
}

// Seeded fold of each key (keys sorted first, so the assignment does not depend on item order).
std::map<std::string, int> assign_folds(std::vector<std::string> keys, int folds, uint64_t seed) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::mt19937_64 rng(seed);
  for (size_t i = keys.size(); i > 1; --i) std::swap(keys[i - 1], keys[rng() % i]);  // Fisher-Yates
  std::map<std::string, int> out;
  for (size_t i = 0; i < keys.size(); ++i) out[keys[i]] = static_cast<int>(i % folds);
  return out;
}

}  // namespace

std::string KnnConfig::to_json() const {
  nlohmann::json j = {{"k", k}, {"pool", pool}, {"sources", sources.to_string()}, {"power", power}, {"alpha", alpha},
                      {"target_k", target_k}, {"beta", beta}, {"gamma", gamma}, {"combiner", combiner}};
  if (learned()) {
    j["folds"] = folds;
    j["l2"] = l2;
    j["unseen_target_model"] = unseen_target_model;
    j["seed"] = seed;
  }
  if (combiner == "gbdt") {
    j["gbdt_objective"] = gbdt_objective;
    j["gbdt_depth"] = gbdt_depth;
    j["gbdt_rounds"] = gbdt_rounds;
    j["gbdt_eta"] = gbdt_eta;
    j["gbdt_min_child_weight"] = gbdt_min_child_weight;
    j["gbdt_early_stopping"] = gbdt_early_stopping;
    j["gbdt_from_logistic"] = gbdt_from_logistic;
    j["gbdt_pairs"] = gbdt_pairs;
  }
  return j.dump();
}

namespace {

// Reads `key` of `j` into `out` when present; a wrong type names the field.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  const bool ok = std::is_same<T, std::string>::value ? it->is_string()
                  : std::is_same<T, bool>::value     ? it->is_boolean()
                  : std::is_integral<T>::value       ? it->is_number_integer()
                                                     : it->is_number();
  if (!ok) throw ps::Error(std::string("KNN configuration: field '") + key + "' has the wrong type (" + it->dump() + ")");
  if (std::is_unsigned<T>::value && !std::is_same<T, bool>::value && !it->is_number_unsigned())
    throw ps::Error(std::string("KNN configuration: field '") + key + "' cannot be negative (" + it->dump() + ")");
  out = it->get<T>();
}

KnnConfig knn_from_object(const nlohmann::json& j) {
  KnnConfig c;
  if (!j.is_object()) throw ps::Error("KNN configuration: expected a JSON object");
  read_field(j, "k", c.k);
  read_field(j, "pool", c.pool);
  read_field(j, "power", c.power);
  read_field(j, "alpha", c.alpha);
  read_field(j, "target_k", c.target_k);
  read_field(j, "beta", c.beta);
  read_field(j, "gamma", c.gamma);
  read_field(j, "combiner", c.combiner);
  read_field(j, "folds", c.folds);
  read_field(j, "l2", c.l2);
  read_field(j, "unseen_target_model", c.unseen_target_model);
  read_field(j, "seed", c.seed);
  read_field(j, "gbdt_objective", c.gbdt_objective);
  read_field(j, "gbdt_depth", c.gbdt_depth);
  read_field(j, "gbdt_rounds", c.gbdt_rounds);
  read_field(j, "gbdt_eta", c.gbdt_eta);
  read_field(j, "gbdt_min_child_weight", c.gbdt_min_child_weight);
  read_field(j, "gbdt_early_stopping", c.gbdt_early_stopping);
  read_field(j, "gbdt_from_logistic", c.gbdt_from_logistic);
  read_field(j, "gbdt_pairs", c.gbdt_pairs);
  std::string sources;
  read_field(j, "sources", sources);
  if (!sources.empty()) {
    try {
      c.sources = SourceWeights::parse(sources);
    } catch (const ps::Error& e) {
      throw ps::Error(std::string("KNN configuration: field 'sources': ") + e.what());
    }
  }
  return c;
}

nlohmann::json parse_config(const std::string& json) {
  try {
    return nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw ps::Error(std::string("KNN configuration: not valid JSON: ") + e.what());
  }
}

}  // namespace

KnnConfig KnnConfig::from_json(const std::string& json) { return knn_from_object(parse_config(json)); }

std::vector<std::pair<std::string, std::string>> KnnConfig::validate() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto num = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  if (pool < 1) out.emplace_back("pool", "pool must be at least 1, not " + std::to_string(pool));
  const int max_k = std::max(1, pool);
  if (k < 1 || k > max_k)
    out.emplace_back("k", "k must be between 1 and " + std::to_string(max_k) + " (the pool), not " + std::to_string(k));
  const double w[] = {sources.string, sources.go, sources.reactome};
  if (!(std::isfinite(w[0]) && std::isfinite(w[1]) && std::isfinite(w[2])))
    out.emplace_back("sources", "source weights must be finite numbers");
  else if (!(w[0] >= 0 && w[1] >= 0 && w[2] >= 0)) out.emplace_back("sources", "source weights cannot be negative");
  else if (w[0] + w[1] + w[2] <= 0) out.emplace_back("sources", "use at least one knowledge source");
  // NaN fails every comparison below, and infinities are refused explicitly: no score may become NaN.
  if (!(power > 0 && std::isfinite(power))) out.emplace_back("power", "power must be a positive finite number, not " + num(power));
  // alpha is the pseudo-weight of the base rate: with 0, a target without votes scores 0/0.
  if (!(alpha > 0 && std::isfinite(alpha)))
    out.emplace_back("alpha", "alpha must be a positive finite number (0 leaves a target without votes at 0/0), not " + num(alpha));
  if (target_k < 0) out.emplace_back("target_k", "target_k must be at least 0, not " + std::to_string(target_k));
  if (!(beta >= 0 && beta <= 1)) out.emplace_back("beta", "beta must be between 0 and 1, not " + num(beta));
  if (!(gamma >= 0 && std::isfinite(gamma))) out.emplace_back("gamma", "gamma must be a finite number >= 0, not " + num(gamma));
  if (combiner != "logistic" && combiner != "gbdt" && combiner != "linear")
    out.emplace_back("combiner", "combiner must be 'logistic', 'gbdt' or 'linear', not '" + combiner + "'");
  if (folds < 2) out.emplace_back("folds", "folds must be at least 2, not " + std::to_string(folds));
  if (!(l2 >= 0 && std::isfinite(l2))) out.emplace_back("l2", "l2 must be a finite number >= 0, not " + num(l2));
  if (fit_threads < 1) out.emplace_back("fit_threads", "fit_threads must be at least 1, not " + std::to_string(fit_threads));
  // Stored as a signed 64-bit integer (JSON, SQLite, the CLI's --seed).
  if (seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    out.emplace_back("seed", "seed must be between 0 and 2^63 - 1, not " + std::to_string(seed));
  // The gbdt fields, with GbdtParams's rules (kg/gbdt.h) under their names here.
  if (gbdt_objective != "rank:pairwise" && gbdt_objective != "binary:logistic")
    out.emplace_back("gbdt_objective",
                     "gbdt_objective must be 'rank:pairwise' or 'binary:logistic', not '" + gbdt_objective + "'");
  if (gbdt_depth < 1 || gbdt_depth > 12)
    out.emplace_back("gbdt_depth", "gbdt_depth must be between 1 and 12, not " + std::to_string(gbdt_depth));
  if (gbdt_rounds < 1 || gbdt_rounds > 5000)
    out.emplace_back("gbdt_rounds", "gbdt_rounds must be between 1 and 5000, not " + std::to_string(gbdt_rounds));
  if (gbdt_pairs < 1 || gbdt_pairs > 100)
    out.emplace_back("gbdt_pairs", "gbdt_pairs must be between 1 and 100, not " + std::to_string(gbdt_pairs));
  if (!(gbdt_eta > 0 && gbdt_eta <= 1)) out.emplace_back("gbdt_eta", "gbdt_eta must be in (0, 1], not " + num(gbdt_eta));
  if (!(gbdt_min_child_weight >= 0 && std::isfinite(gbdt_min_child_weight)))
    out.emplace_back("gbdt_min_child_weight",
                     "gbdt_min_child_weight must be a finite number >= 0, not " + num(gbdt_min_child_weight));
  return out;
}

GbdtParams KnnConfig::gbdt_params() const {
  GbdtParams p;
  p.objective = gbdt_objective;
  p.max_depth = gbdt_depth;
  p.rounds = gbdt_rounds;
  p.eta = gbdt_eta;
  p.min_child_weight = gbdt_min_child_weight;
  p.pairs = gbdt_pairs;
  p.seed = seed;
  return p;
}

void KnnConfig::require_valid() const {
  const auto problems = validate();
  if (!problems.empty()) throw ps::Error("KNN: " + problems.front().second);
}

KnnConfig knn_config_of_run(const std::string& config_json) {
  if (config_json.find_first_not_of(" \t\r\n") == std::string::npos) return KnnConfig{};
  const nlohmann::json j = parse_config(config_json);
  if (!j.is_object()) throw ps::Error("run configuration: expected a JSON object");
  auto it = j.find("knn");
  const bool nested = it != j.end() && !it->is_null();
  if (nested && !it->is_object()) throw ps::Error("run configuration: field 'knn' must be an object");
  const nlohmann::json& o = nested ? *it : j;
  KnnConfig c = knn_from_object(o);
  // A run stored without "combiner" predates the learned combiner: it used the fixed formula.
  if (!o.contains("combiner")) c.combiner = "linear";
  return c;
}

KnnModel::KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg)
    : g_(g), cfg_(cfg) {
  init(train);
}

KnnModel::KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg,
                   const std::vector<data::Item>& other_lines)
    : g_(g), cfg_(cfg), side_items_(other_lines) {
  double pos = 0;
  for (const auto& it : other_lines) {
    auto& p = side_pair_[it.pert + "\t" + it.gene];
    p.first += it.label, p.second += 1;
    auto& q = side_pert_[it.pert];
    q.first += it.label, q.second += 1;
    pos += it.label;
  }
  side_mean_ = other_lines.empty() ? 0 : pos / other_lines.size();
  init(train);
}

void KnnModel::init(const std::vector<data::Item>& train) {
  const KnowledgeGraph& g = g_;
  cfg_.require_valid();
  row_of_gene_.assign(g.n_genes(), -1);
  col_of_gene_.assign(g.n_genes(), -1);
  std::vector<uint8_t> pert_allowed(g.n_genes(), 0), target_allowed(g.n_genes(), 0);
  for (const auto& it : train) {
    if (pert_row_.emplace(it.pert, static_cast<int32_t>(pert_gene_.size())).second) {
      auto id = g.find(it.pert);
      pert_gene_.push_back(id ? *id : -1);
      if (id && row_of_gene_[*id] < 0) {
        row_of_gene_[*id] = static_cast<int32_t>(pert_gene_.size() - 1);
        pert_allowed[*id] = 1;
      }
    }
    if (target_col_.emplace(it.gene, static_cast<int32_t>(target_gene_.size())).second) {
      auto id = g.find(it.gene);
      target_gene_.push_back(id ? *id : -1);
      if (id && col_of_gene_[*id] < 0) {
        col_of_gene_[*id] = static_cast<int32_t>(target_gene_.size() - 1);
        target_allowed[*id] = 1;
      }
    }
  }
  pert_cand_ = std::make_unique<KnowledgeGraph::CandidateIndex>(g, std::move(pert_allowed));
  if (cfg_.target_k > 0) target_cand_ = std::make_unique<KnowledgeGraph::CandidateIndex>(g, std::move(target_allowed));
  n_targets_ = target_gene_.size();
  labels_.assign(pert_gene_.size() * n_targets_, -1);
  std::vector<double> t_pos(n_targets_, 0), t_n(n_targets_, 0), p_pos(pert_gene_.size(), 0), p_n(pert_gene_.size(), 0);
  double pos = 0;
  for (const auto& it : train) {
    const int32_t r = pert_row_.at(it.pert), c = target_col_.at(it.gene);
    labels_[static_cast<size_t>(r) * n_targets_ + c] = static_cast<int8_t>(it.label);
    t_pos[c] += it.label, t_n[c] += 1, p_pos[r] += it.label, p_n[r] += 1, pos += it.label;
  }
  mean_rate_ = train.empty() ? 0 : pos / train.size();
  labels_t_.assign(labels_.size(), -1);
  for (size_t r = 0; r < pert_gene_.size(); ++r)
    for (size_t c = 0; c < n_targets_; ++c) labels_t_[c * pert_gene_.size() + r] = labels_[r * n_targets_ + c];
  pos_cols_.assign(pert_gene_.size(), {});
  pos_rows_.assign(n_targets_, {});
  for (size_t r = 0; r < pert_gene_.size(); ++r)
    for (size_t c = 0; c < n_targets_; ++c)
      if (labels_[r * n_targets_ + c] == 1) pos_cols_[r].push_back(static_cast<int32_t>(c)), pos_rows_[c].push_back(static_cast<int32_t>(r));
  // Each train perturber's phenotypic neighbours: cosine of the DE-target sets, top 20.
  pert_module_.assign(pert_gene_.size(), {});
  for (size_t r = 0; r < pert_gene_.size(); ++r) {
    std::unordered_map<int32_t, double> co;
    for (int32_t c : pos_cols_[r])
      for (int32_t r2 : pos_rows_[c])
        if (r2 != static_cast<int32_t>(r)) co[r2] += 1;
    Module& out = pert_module_[r];
    for (const auto& [r2, c] : co) out.emplace_back(r2, c / std::sqrt(double(pos_cols_[r].size()) * pos_cols_[r2].size()));
    const size_t keep = std::min<size_t>(out.size(), 20);
    std::partial_sort(out.begin(), out.begin() + keep, out.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    out.resize(keep);
  }
  n_train_ = static_cast<double>(train.size());
  base_rate_.resize(n_targets_);
  for (size_t c = 0; c < n_targets_; ++c) base_rate_[c] = t_pos[c] / t_n[c];
  target_n_ = t_n;
  pert_n_ = p_n;
  pert_rate_.resize(pert_gene_.size());
  for (size_t r = 0; r < pert_gene_.size(); ++r) pert_rate_[r] = p_pos[r] / p_n[r], mean_pert_rate_ += pert_rate_[r];
  if (!pert_rate_.empty()) mean_pert_rate_ /= pert_rate_.size();
  for (size_t r = 0; r < pert_gene_.size(); ++r) mean_log_pos_ += std::log1p(p_pos[r]);
  if (!pert_gene_.empty()) mean_log_pos_ /= pert_gene_.size();
  if (cfg_.learned()) fit_combiners(train);
}

const KnnCombiner* KnnModel::combiner(bool unseen_target) const {
  if (!cfg_.learned()) return nullptr;
  if (unseen_target) ensure_target_combiner();
  const auto& c = unseen_target ? comb_target_ : comb_;
  return c.fitted() ? &c : nullptr;
}

void KnnModel::out_of_fold(const std::vector<data::Item>& train, bool by_target, std::vector<double>& x,
                           std::vector<int>& y, std::vector<int>& groups, std::vector<int>& fold) const {
  KnnConfig inner = cfg_;
  inner.combiner = "linear";
  std::vector<std::string> keys;
  for (const auto& it : train) keys.push_back(by_target ? it.gene : it.pert);
  const auto fold_of = assign_folds(keys, cfg_.folds, cfg_.seed);
  for (int f = 0; f < cfg_.folds; ++f) {
    std::vector<data::Item> rest, held;
    for (const auto& it : train) (fold_of.at(by_target ? it.gene : it.pert) == f ? held : rest).push_back(it);
    if (rest.empty() || held.empty()) continue;
    KnnModel m = side_items_.empty() ? KnnModel(g_, rest, inner) : KnnModel(g_, rest, inner, side_items_);
    auto preds = m.predict_many(held, cfg_.fit_threads);
    for (size_t i = 0; i < held.size(); ++i) {
      x.insert(x.end(), preds[i].features.begin(), preds[i].features.end());
      y.push_back(held[i].label);
      groups.push_back(target_col_.at(held[i].gene));
      fold.push_back(f);
    }
  }
}

static bool has_both_classes(const std::vector<int>& y) {
  bool zero = false, one = false;
  for (int v : y) zero = zero || v == 0, one = one || v == 1;
  return zero && one;
}

std::vector<int> KnnModel::columns(bool unseen_target) const {
  auto c = unseen_target ? KnnCombiner::unseen_target_columns() : KnnCombiner::seen_target_columns();
  if (!side_pair_.empty()) c.insert(c.end(), KnnCombiner::side_columns().begin(), KnnCombiner::side_columns().end());
  return c;
}

KnnCombiner KnnModel::fit_seen_target(const std::vector<double>& x, const std::vector<int>& y,
                                      const std::vector<int>& groups, const std::vector<int>& fold) const {
  if (cfg_.combiner != "gbdt") return KnnCombiner::fit(x, y, groups, columns(false), cfg_.l2);
  auto cols = KnnCombiner::gbdt_seen_target_columns();
  if (!side_pair_.empty()) cols.insert(cols.end(), KnnCombiner::side_columns().begin(), KnnCombiner::side_columns().end());
  std::vector<uint8_t> inner;
  if (cfg_.gbdt_early_stopping && !fold.empty()) {  // the rows of the highest fold present stop the boosting
    const int last = *std::max_element(fold.begin(), fold.end());
    inner.resize(fold.size());
    for (size_t i = 0; i < fold.size(); ++i) inner[i] = fold[i] == last;
  }
  return KnnCombiner::fit_gbdt(x, y, groups, columns(false), cols, cfg_.l2, cfg_.gbdt_from_logistic, cfg_.gbdt_params(),
                               inner);
}

void KnnModel::fit_combiners(const std::vector<data::Item>& train) {
  train_ = train;
  out_of_fold(train, false, oof_x_, oof_y_, oof_groups_, oof_fold_);
  if (!has_both_classes(oof_y_)) return;  // nothing to learn from: the linear score stays
  comb_ = fit_seen_target(oof_x_, oof_y_, oof_groups_, oof_fold_);
  fold_of_row_.assign(pert_gene_.size(), -1);
  std::vector<std::string> perts;
  for (const auto& it : train) perts.push_back(it.pert);
  for (const auto& [pert, f] : assign_folds(perts, cfg_.folds, cfg_.seed)) fold_of_row_[pert_row_.at(pert)] = f;
}

void KnnModel::ensure_fold_combiners() const {
  std::call_once(fold_once_, [&] {
    if (!comb_.fitted()) return;
    const size_t d = knn_feature_names().size();
    comb_fold_.resize(cfg_.folds);
    for (int f = 0; f < cfg_.folds; ++f) {
      std::vector<double> xf;
      std::vector<int> yf, gf, ff;
      for (size_t i = 0; i < oof_y_.size(); ++i)
        if (oof_fold_[i] != f)
          xf.insert(xf.end(), oof_x_.begin() + i * d, oof_x_.begin() + (i + 1) * d), yf.push_back(oof_y_[i]),
              gf.push_back(oof_groups_[i]), ff.push_back(oof_fold_[i]);
      if (has_both_classes(yf)) comb_fold_[f] = fit_seen_target(xf, yf, gf, ff);
    }
  });
}

void KnnModel::ensure_target_combiner() const {
  std::call_once(target_once_, [&] {
    if (!cfg_.learned() || !cfg_.unseen_target_model) return;
    std::vector<double> x;
    std::vector<int> y, groups, fold;
    out_of_fold(train_, true, x, y, groups, fold);
    if (!has_both_classes(y)) return;
    if (cfg_.combiner == "gbdt") {  // trees here too, early-stopped on the last target fold
      auto tree_cols = KnnCombiner::gbdt_unseen_target_columns();
      if (!side_pair_.empty())
        tree_cols.insert(tree_cols.end(), KnnCombiner::side_columns().begin(), KnnCombiner::side_columns().end());
      std::vector<uint8_t> inner;
      if (cfg_.gbdt_early_stopping && !fold.empty()) {
        const int last = *std::max_element(fold.begin(), fold.end());
        inner.resize(fold.size());
        for (size_t i = 0; i < fold.size(); ++i) inner[i] = fold[i] == last;
      }
      comb_target_ = KnnCombiner::fit_gbdt(x, y, groups, columns(true), tree_cols, cfg_.l2, cfg_.gbdt_from_logistic,
                                           cfg_.gbdt_params(), inner);
      return;
    }
    comb_target_ = KnnCombiner::fit(x, y, groups, columns(true), cfg_.l2);
  });
}

void KnnModel::apply_combiner(KnnPrediction& p, int32_t own_row, bool pair_in_train) const {
  p.linear_score = p.score;
  if (!cfg_.learned()) return;
  const KnnCombiner* c = nullptr;
  if (!p.target_seen && own_row >= 0 && comb_target_.fitted()) {
    c = &comb_target_;
    p.unseen_target_regime = true;
  } else if (pair_in_train && own_row >= 0 && fold_of_row_[own_row] >= 0 && comb_fold_[fold_of_row_[own_row]].fitted()) {
    c = &comb_fold_[fold_of_row_[own_row]];
  } else if (comb_.fitted()) {
    c = &comb_;
  }
  if (c) p.score = c->probability(p.features);
}

int64_t KnnModel::target_count(const std::string& target, const std::string& leave_out) const {
  auto c = target_col_.find(target);
  if (c == target_col_.end()) return 0;
  int64_t n = static_cast<int64_t>(target_n_[c->second]);
  if (!leave_out.empty()) {
    auto r = pert_row_.find(leave_out);
    if (r != pert_row_.end() && label(r->second, c->second) >= 0) --n;
  }
  return n;
}

KnnModel::Neighbourhood KnnModel::perturber_neighbourhood(const std::string& pert) const {
  Neighbourhood nb;
  auto id = g_.find(pert);
  if (!id) return nb;
  // A perturber that is itself in train (not the case for PerturbQA's held-out splits)
  // is excluded by the graph query (a gene is never its own neighbour).
  nb.raw = g_.neighbours(*id, cfg_.sources, std::max(cfg_.k, cfg_.pool), *pert_cand_);
  for (const auto& n : nb.raw) {
    nb.rows.push_back(row_of_gene_[n.gene]);
    nb.weights.push_back(std::pow(n.score, cfg_.power));
  }
  return nb;
}

KnnModel::Neighbourhood KnnModel::target_neighbourhood(const std::string& gene) const {
  Neighbourhood nb;
  if (cfg_.target_k <= 0) return nb;
  auto id = g_.find(gene);
  if (!id) return nb;
  nb.raw = g_.neighbours(*id, cfg_.sources, cfg_.target_k, *target_cand_);
  for (const auto& n : nb.raw) {
    nb.rows.push_back(col_of_gene_[n.gene]);
    nb.weights.push_back(std::pow(n.score, cfg_.power));
  }
  return nb;
}

std::array<double, kSources + 5> KnnModel::direct_edge(const std::string& pert, const std::string& target, int32_t col,
                                                       int32_t own_row) const {
  std::array<double, kSources + 5> out{};
  if (!side_pair_.empty()) {
    auto p = side_pair_.find(pert + "\t" + target);
    if (p != side_pair_.end()) out[kSources + 2] = p->second.first / p->second.second - 0.5, out[kSources + 3] = 1;
    auto q = side_pert_.find(pert);
    if (q != side_pert_.end() && side_mean_ > 0 && side_mean_ < 1)
      out[kSources + 4] = logit((q->second.first + side_mean_) / (q->second.second + 1)) - logit(side_mean_);
  }
  auto a = g_.find(pert), b = g_.find(target);
  if (a && b && *a != *b)
    for (int s = 0; s < kSources; ++s) out[s] = g_.score(static_cast<Source>(s), *a, *b);
  if (b && col < 0 && own_row >= 0) {
    double sim[2] = {0, 0}, n[2] = {0, 0};
    const int8_t* row = &labels_[static_cast<size_t>(own_row) * n_targets_];
    for (size_t c = 0; c < n_targets_; ++c) {
      if (row[c] < 0 || target_gene_[c] < 0 || target_gene_[c] == *b) continue;
      sim[row[c]] += g_.fused(cfg_.sources, *b, target_gene_[c]), n[row[c]] += 1;
    }
    out[kSources] = n[1] > 0 ? sim[1] / n[1] : 0.0;
    out[kSources + 1] = n[0] > 0 ? sim[0] / n[0] : 0.0;
  }
  return out;
}

KnnModel::Module KnnModel::target_module(int32_t col, int32_t skip_row) const {
  Module out;
  if (col < 0) return out;
  std::unordered_map<int32_t, double> co;
  double n_y = 0;
  for (int32_t r : pos_rows_[col]) {
    if (r == skip_row) continue;
    n_y += 1;
    for (int32_t m : pos_cols_[r])
      if (m != col) co[m] += 1;
  }
  for (const auto& [m, c] : co) {
    double n_m = static_cast<double>(pos_rows_[m].size());
    if (skip_row >= 0 && label(skip_row, m) == 1) n_m -= 1;
    if (n_m > 0 && n_y > 0) out.emplace_back(m, c / std::sqrt(n_y * n_m));
  }
  const size_t keep = std::min<size_t>(out.size(), 20);
  std::partial_sort(out.begin(), out.begin() + keep, out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  out.resize(keep);
  return out;
}

KnnPrediction KnnModel::combine(const Neighbourhood& nx, const Neighbourhood& ny, int32_t col, int own_label,
                                int32_t own_row, const Module* module,
                                const std::array<double, kSources + 5>* direct) const {
  KnnPrediction p;
  p.target_seen = col >= 0;
  // Leave-pair-out: the overall rate and mean r without the pair's own label.
  // (mean_log_pos: the same for the combiner's log-DE-count feature.)
  double mean_rate = mean_rate_, mean_pert_rate = mean_pert_rate_, mean_log_pos = mean_log_pos_;
  if (own_label >= 0 && n_train_ > 1) mean_rate = (mean_rate_ * n_train_ - own_label) / (n_train_ - 1);
  if (own_label >= 0 && own_row >= 0) {
    const double n = pert_n_[own_row], rows = static_cast<double>(pert_rate_.size());
    const double own_pos = pert_rate_[own_row] * n;
    if (n > 1) {
      mean_pert_rate += ((own_pos - own_label) / (n - 1) - pert_rate_[own_row]) / rows;
      mean_log_pos += (std::log1p(own_pos - own_label) - std::log1p(own_pos)) / rows;
    } else if (rows > 1) {  // X's only item: X drops out
      mean_pert_rate = (mean_pert_rate_ * rows - pert_rate_[own_row]) / (rows - 1);
      mean_log_pos = (mean_log_pos_ * rows - std::log1p(own_pos)) / (rows - 1);
    }
  }
  // Base rate of the target: its own, or its graph neighbours' for an unseen target.
  double base = mean_rate;
  if (col >= 0 && own_label >= 0 && target_n_[col] <= 1) {
    p.target_seen = false;  // the pair itself was the target's only train item
  } else if (col >= 0 && own_label >= 0) {
    base = (base_rate_[col] * target_n_[col] - own_label) / (target_n_[col] - 1);
  } else if (col >= 0) {
    base = base_rate_[col];
  } else if (!ny.rows.empty()) {
    double s = 0, w = 0;
    for (size_t j = 0; j < ny.rows.size(); ++j) s += ny.weights[j] * base_rate_[ny.rows[j]], w += ny.weights[j];
    base = s / w;
  }
  p.base_rate = base;
  const double a = cfg_.alpha;
  // Direct votes: X's neighbours on Y.
  double num = 0, den = 0, ws = 0, rs = 0;
  const size_t top = std::min<size_t>(cfg_.k, nx.rows.size());
  for (size_t i = 0; i < top; ++i) rs += nx.weights[i] * pert_rate_[nx.rows[i]], ws += nx.weights[i];
  int votes = 0;
  for (size_t i = 0; col >= 0 && i < nx.rows.size() && votes < cfg_.k; ++i) {
    const int8_t l = label_t(nx.rows[i], col);
    if (l < 0) continue;
    num += nx.weights[i] * l, den += nx.weights[i];
    ++votes;
  }
  p.n_votes = votes;
  p.knn = (num + a * base) / (den + a);
  p.strength = ws > 0 ? rs / ws - mean_pert_rate : 0.0;
  // Target neighbourhood: X's neighbours on genes like Y.
  double tnum = 0, tden = 0;
  for (size_t i = 0; i < top; ++i)
    for (size_t j = 0; j < ny.rows.size(); ++j) {
      const int8_t l = label(nx.rows[i], ny.rows[j]);
      if (l < 0) continue;
      const double w = nx.weights[i] * ny.weights[j];
      tnum += w * l, tden += w;
    }
  p.tn = (tnum + a * base) / (tden + a);
  p.score = (1 - cfg_.beta) * p.knn + cfg_.beta * p.tn + cfg_.gamma * p.strength;
  p.linear_score = p.score;

  // Features of the learned combiner (knn_feature_names() order).
  const double lb = logit(base);
  auto strength_top = [&](size_t n) {
    double r = 0, w = 0;
    for (size_t i = 0; i < std::min(n, nx.rows.size()); ++i) r += nx.weights[i] * pert_rate_[nx.rows[i]], w += nx.weights[i];
    return w > 0 ? r / w - mean_pert_rate : 0.0;
  };
  std::array<double, kSources> snum{}, sden{}, srate{}, sw{};
  double nearest = 0;
  int seen_votes = 0;
  for (size_t i = 0; col >= 0 && i < nx.rows.size() && seen_votes < cfg_.k; ++i) {
    const int8_t l = label_t(nx.rows[i], col);
    if (l < 0) continue;
    if (seen_votes == 0) nearest = nx.weights[i] * (l - base);
    ++seen_votes;
    for (int s = 0; s < kSources; ++s) {
      const double w = nx.raw[i].by_source[s];
      snum[s] += w * l, sden[s] += w;
    }
  }
  for (size_t i = 0; i < std::min<size_t>(50, nx.rows.size()); ++i)
    for (int s = 0; s < kSources; ++s) {
      const double w = nx.raw[i].by_source[s];
      srate[s] += w * pert_rate_[nx.rows[i]], sw[s] += w;
    }
  double own_rate_lift = 0, own_tn_lift = 0;
  if (col < 0 && own_row >= 0 && pert_n_[own_row] > 0) {
    const double own_rate = (pert_rate_[own_row] * pert_n_[own_row] + a * mean_rate_) / (pert_n_[own_row] + a);
    own_rate_lift = logit(own_rate) - logit(mean_rate_);
    double onum = 0, oden = 0;
    for (size_t j = 0; j < ny.rows.size(); ++j) {
      const int8_t l = label(own_row, ny.rows[j]);
      if (l < 0) continue;
      onum += ny.weights[j] * l, oden += ny.weights[j];
    }
    own_tn_lift = logit((onum + a * base) / (oden + a)) - lb;
  }
  const double knn_lift = logit(p.knn) - lb;
  auto& f = p.features;
  f.reserve(20);
  f.push_back(knn_lift);
  f.push_back(logit(p.tn) - lb);
  f.push_back(p.strength);
  f.push_back(strength_top(5));
  f.push_back(strength_top(100));
  for (int s = 0; s < kSources; ++s) f.push_back(logit((snum[s] + a * base) / (sden[s] + a)) - lb);
  for (int s = 0; s < kSources; ++s) f.push_back(sw[s] > 0 ? srate[s] / sw[s] - mean_pert_rate : 0.0);
  f.push_back(lb);
  f.push_back(std::log1p(votes));
  f.push_back(p.strength * lb);
  f.push_back(knn_lift * lb);
  f.push_back(nx.rows.empty() ? 1.0 : 0.0);
  f.push_back(own_rate_lift);
  f.push_back(own_tn_lift);
  f.push_back(own_rate_lift * lb);
  f.push_back(nearest);
  // Which neighbours were measured on Y at all: PerturbQA lists each perturber's DE genes and a
  // sample of the others, so a label's presence is itself evidence. Lifts against Y's share of
  // all train perturbers (measured: c, DE: q).
  const double np = std::max<double>(1, pert_gene_.size());
  const double cy = col >= 0 ? std::clamp(target_n_[col] / np, 1e-4, 1.0) : 0.5;
  // leave_pair_out: Y's DE count without the pair's own label.
  const double y_pos = col >= 0 ? base_rate_[col] * target_n_[col] - (own_label > 0 ? own_label : 0) : 0;
  const double qy = col >= 0 ? std::clamp(y_pos / np, 1e-4, 1.0) : 0.5;
  {  // one pass over the pool: weighted shares measured / DE on Y among the top 20, 100, all
    double cnt[2][3] = {{0, 0, 0}, {0, 0, 0}}, den[3] = {0, 0, 0};
    const size_t lim[3] = {20, 100, nx.rows.size()};
    for (size_t i = 0; col >= 0 && i < nx.rows.size(); ++i) {
      const int8_t l = label_t(nx.rows[i], col);
      for (int b = 0; b < 3; ++b)
        if (i < lim[b]) cnt[0][b] += nx.weights[i] * (l >= 0), cnt[1][b] += nx.weights[i] * (l == 1), den[b] += nx.weights[i];
    }
    auto lift = [&](bool positives, int b) {
      const double prior = positives ? qy : cy;
      return col >= 0 ? logit((cnt[positives][b] + a * prior) / (den[b] + a)) - logit(prior) : 0.0;
    };
    f.push_back(lift(false, 0));  // cov_20
    f.push_back(lift(false, 1));  // cov_100
    f.push_back(lift(true, 0));   // pos_20
    f.push_back(lift(true, 1));   // pos_100
    f.push_back(lift(true, 2));   // pos_400 (the whole pool)
  }
  {
    double num = 0, den = 0, qn = 0, qd = 0;
    for (size_t j = 0; j < ny.rows.size(); ++j)
      qn += ny.weights[j] * base_rate_[ny.rows[j]] * target_n_[ny.rows[j]] / np, qd += ny.weights[j];
    const double q = qd > 0 ? std::clamp(qn / qd, 1e-4, 1.0) : 0.5;
    for (size_t i = 0; i < top; ++i)
      for (size_t j = 0; j < ny.rows.size(); ++j) {
        const double w = nx.weights[i] * ny.weights[j];
        num += w * (label(nx.rows[i], ny.rows[j]) == 1), den += w;
      }
    f.push_back(den > 0 ? logit((num + a * q) / (den + a)) - logit(q) : 0.0);
  }
  {  // The neighbours' number of DE genes (PerturbQA lists up to ~20 per perturber), log scale.
    double r = 0, w = 0;
    for (size_t i = 0; i < top; ++i) r += nx.weights[i] * std::log1p(pert_rate_[nx.rows[i]] * pert_n_[nx.rows[i]]), w += nx.weights[i];
    f.push_back(w > 0 ? r / w - mean_log_pos : 0.0);
  }
  {  // pos_400 with squared weights: the closest neighbours count more.
    double num = 0, den = 0;
    for (size_t i = 0; i < nx.rows.size(); ++i) {
      const double w = nx.weights[i] * nx.weights[i];
      num += w * (col >= 0 && label_t(nx.rows[i], col) == 1), den += w;
    }
    f.push_back(col >= 0 ? logit((num + a * qy) / (den + a)) - logit(qy) : 0.0);
  }
  {  // X's neighbours DE on Y's co-DE module: top 20 and top 100 neighbours (one pass)
    double num = 0, den = 0, qn = 0, qd = 0, num20 = 0, den20 = 0;
    if (module)
      for (const auto& [m, c] : *module) qn += c * pos_rows_[m].size() / np, qd += c;
    const double q = qd > 0 ? std::clamp(qn / qd, 1e-4, 1.0) : 0.5;
    for (size_t i = 0; module && i < std::min<size_t>(100, nx.rows.size()); ++i) {
      if (i == 20) num20 = num, den20 = den;
      const int8_t* row = &labels_[static_cast<size_t>(nx.rows[i]) * n_targets_];
      for (const auto& [m, c] : *module) {
        const double w = nx.weights[i] * c;
        num += w * (row[m] == 1), den += w;
      }
    }
    if (nx.rows.size() <= 20) num20 = num, den20 = den;
    f.push_back(den20 > 0 ? logit((num20 + a * q) / (den20 + a)) - logit(q) : 0.0);
    f.push_back(den > 0 ? logit((num + a * q) / (den + a)) - logit(q) : 0.0);
  }
  {  // the phenotypic neighbours of X's neighbours, DE on Y: top 20 and top 100 neighbours
    double num = 0, den = 0, num20 = 0, den20 = 0;
    for (size_t i = 0; col >= 0 && i < std::min<size_t>(100, nx.rows.size()); ++i) {
      if (i == 20) num20 = num, den20 = den;
      for (const auto& [r2, c] : pert_module_[nx.rows[i]]) {
        if (r2 == own_row && own_label >= 0) continue;  // leave_pair_out: X's own labels stay out
        const double w = nx.weights[i] * c;
        num += w * (label_t(r2, col) == 1), den += w;
      }
    }
    if (nx.rows.size() <= 20) num20 = num, den20 = den;
    f.push_back(col >= 0 ? logit((num20 + a * qy) / (den20 + a)) - logit(qy) : 0.0);
    f.push_back(col >= 0 ? logit((num + a * qy) / (den + a)) - logit(qy) : 0.0);
  }
  for (int s = 0; s < kSources + 2; ++s) f.push_back(direct ? (*direct)[s] : 0.0);  // X-Y edge; own DE genes' closeness
  f.push_back(direct ? (*direct)[kSources] - (*direct)[kSources + 1] : 0.0);
  for (int s = kSources + 2; s < kSources + 5; ++s) f.push_back(direct ? (*direct)[s] : 0.0);  // other lines
  {  // Raw values for the gbdt combiner's trees: how close X's nearest train perturbers are (the top
     // one, the mean of the top 20, the sum over the pool), and plain
     // counts of X's top 20 / 100 / pool neighbours DE on Y, and of its top 100 listed for Y.
    const size_t n = nx.rows.size(), n20 = std::min<size_t>(20, n);
    double s20 = 0;
    for (size_t i = 0; i < n20; ++i) s20 += nx.weights[i];
    f.push_back(n > 0 ? nx.weights[0] : 0.0);  // sim_top1
    f.push_back(n20 > 0 ? s20 / n20 : 0.0);    // sim_mean_20
    double spool = 0;
    for (size_t i = 0; i < n; ++i) spool += nx.weights[i];
    f.push_back(spool);                        // sim_sum_pool
    double de[3] = {0, 0, 0}, listed = 0;
    for (size_t i = 0; col >= 0 && i < n; ++i) {
      const int8_t l = label_t(nx.rows[i], col);
      de[0] += i < 20 && l == 1, de[1] += i < 100 && l == 1, de[2] += l == 1, listed += i < 100 && l >= 0;
    }
    for (double v : de) f.push_back(v);  // de_count_20, de_count_100, de_count_pool
    f.push_back(listed);                 // listed_count_100
  }
  return p;
}

void KnnModel::add_votes(KnnPrediction& p, const Neighbourhood& nx, int32_t col) const {
  // The neighbours that voted (labelled for Y), then the closest ones without a label.
  for (size_t i = 0; i < nx.raw.size() && static_cast<int>(p.votes.size()) < cfg_.k; ++i) {
    const int l = col >= 0 ? label_t(nx.rows[i], col) : -1;
    if (l >= 0) p.votes.push_back({nx.raw[i].gene, nx.weights[i], l});
  }
  for (size_t i = 0; i < nx.raw.size() && i < static_cast<size_t>(cfg_.k); ++i)
    if (col < 0 || label_t(nx.rows[i], col) < 0) p.votes.push_back({nx.raw[i].gene, nx.weights[i], -1});
}

KnnPrediction KnnModel::predict(const std::string& perturber, const std::string& target) const {
  auto nx = perturber_neighbourhood(perturber);
  auto ny = target_neighbourhood(target);
  auto it = target_col_.find(target);
  const int32_t col = it == target_col_.end() ? -1 : it->second;
  auto r = pert_row_.find(perturber);
  const int32_t row = r == pert_row_.end() ? -1 : r->second;
  if (col < 0 && row >= 0) ensure_target_combiner();
  const Module mod = target_module(col);
  const auto direct = direct_edge(perturber, target, col, row);
  KnnPrediction p = combine(nx, ny, col, -1, row, &mod, &direct);
  apply_combiner(p, row, false);
  p.perturber_in_graph = g_.find(perturber).has_value();
  add_votes(p, nx, col);
  p.target_neighbours = ny.raw;
  return p;
}

std::vector<double> KnnModel::scores(const std::vector<data::Item>& items, int threads) const {
  std::vector<double> out;
  for (const auto& p : predict_many(items, threads, false)) out.push_back(p.score);
  return out;
}

std::vector<KnnPrediction> KnnModel::predict_many(const std::vector<data::Item>& items, int threads,
                                                  bool with_votes, bool leave_pair_out) const {
  // Distinct perturbers and targets, their neighbourhoods computed in parallel.
  std::unordered_map<std::string, int32_t> pidx, tidx;
  std::vector<std::string> perts, targets;
  for (const auto& it : items) {
    if (pidx.emplace(it.pert, static_cast<int32_t>(perts.size())).second) perts.push_back(it.pert);
    if (tidx.emplace(it.gene, static_cast<int32_t>(targets.size())).second) targets.push_back(it.gene);
  }
  if (cfg_.learned()) {
    if (leave_pair_out) ensure_fold_combiners();
    for (const auto& it : items)
      if (!target_col_.count(it.gene) && pert_row_.count(it.pert)) {
        ensure_target_combiner();
        break;
      }
  }
  std::vector<Neighbourhood> nx(perts.size()), ny(targets.size());
  threads = ps::clamp_threads(threads);
  auto run = [&](auto&& fn, size_t n) { ps::parallel_for(n, threads, [&](size_t i, int) { fn(i); }); };
  run([&](size_t i) { nx[i] = perturber_neighbourhood(perts[i]); }, perts.size());
  run([&](size_t i) { ny[i] = target_neighbourhood(targets[i]); }, targets.size());
  std::vector<Module> mods(targets.size());
  run(
      [&](size_t i) {
        auto c = target_col_.find(targets[i]);
        if (c != target_col_.end()) mods[i] = target_module(c->second);
      },
      targets.size());
  std::vector<KnnPrediction> out(items.size());
  run(
      [&](size_t i) {
        const auto& it = items[i];
        auto c = target_col_.find(it.gene);
        const int32_t col = c == target_col_.end() ? -1 : c->second;
        const auto& x = nx[pidx.at(it.pert)];
        int own = -1;
        auto r = pert_row_.find(it.pert);
        const int32_t row = r == pert_row_.end() ? -1 : r->second;
        if (leave_pair_out && col >= 0 && row >= 0) own = label(row, col);
        const int32_t ti = tidx.at(it.gene);
        const auto direct = direct_edge(it.pert, it.gene, col, row);
        if (own == 1) {  // the pair's own label must not shape Y's module
          const Module mod = target_module(col, row);
          out[i] = combine(x, ny[ti], col, own, row, &mod, &direct);
        } else {
          out[i] = combine(x, ny[ti], col, own, row, &mods[ti], &direct);
        }
        apply_combiner(out[i], row, own >= 0);
        out[i].perturber_in_graph = !x.raw.empty() || g_.find(it.pert).has_value();
        if (with_votes) add_votes(out[i], x, col);
      },
      items.size());
  return out;
}

}  // namespace ps::kg
