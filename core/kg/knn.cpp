#include "kg/knn.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "common/error.h"
#include "common/parallel.h"

namespace ps::kg {

std::string KnnConfig::to_json() const {
  nlohmann::json j = {{"k", k}, {"pool", pool}, {"sources", sources.to_string()}, {"power", power}, {"alpha", alpha},
                      {"target_k", target_k}, {"beta", beta}, {"gamma", gamma}};
  return j.dump();
}

namespace {

// Reads `key` of `j` into `out` when present; a wrong type names the field.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  const bool ok = std::is_same<T, std::string>::value ? it->is_string()
                  : std::is_integral<T>::value       ? it->is_number_integer()
                                                     : it->is_number();
  if (!ok) throw ps::Error(std::string("KNN configuration: field '") + key + "' has the wrong type (" + it->dump() + ")");
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
  return out;
}

KnnConfig knn_config_of_run(const std::string& config_json) {
  if (config_json.find_first_not_of(" \t\r\n") == std::string::npos) return KnnConfig{};
  const nlohmann::json j = parse_config(config_json);
  if (!j.is_object()) throw ps::Error("run configuration: expected a JSON object");
  auto it = j.find("knn");
  if (it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw ps::Error("run configuration: field 'knn' must be an object");
    return knn_from_object(*it);
  }
  return knn_from_object(j);
}

KnnModel::KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg)
    : g_(g), cfg_(cfg) {
  if (cfg.k < 1) throw ps::Error("KNN: k must be at least 1");
  if (cfg.target_k < 0) throw ps::Error("KNN: target_k must be >= 0");
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
  if (cfg.target_k > 0) target_cand_ = std::make_unique<KnowledgeGraph::CandidateIndex>(g, std::move(target_allowed));
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
  n_train_ = static_cast<double>(train.size());
  pert_n_ = p_n;
  base_rate_.resize(n_targets_);
  for (size_t c = 0; c < n_targets_; ++c) base_rate_[c] = t_pos[c] / t_n[c];
  target_n_ = t_n;
  pert_rate_.resize(pert_gene_.size());
  for (size_t r = 0; r < pert_gene_.size(); ++r) pert_rate_[r] = p_pos[r] / p_n[r], mean_pert_rate_ += pert_rate_[r];
  if (!pert_rate_.empty()) mean_pert_rate_ /= pert_rate_.size();
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

KnnPrediction KnnModel::combine(const Neighbourhood& nx, const Neighbourhood& ny, int32_t col, int own_label,
                                int32_t own_row) const {
  KnnPrediction p;
  p.target_seen = col >= 0;
  // Leave-pair-out: the overall rate and mean r without the pair's own label.
  double mean_rate = mean_rate_, mean_pert_rate = mean_pert_rate_;
  if (own_label >= 0 && n_train_ > 1) mean_rate = (mean_rate_ * n_train_ - own_label) / (n_train_ - 1);
  if (own_label >= 0 && own_row >= 0) {
    const double n = pert_n_[own_row], rows = static_cast<double>(pert_rate_.size());
    if (n > 1)
      mean_pert_rate += ((pert_rate_[own_row] * n - own_label) / (n - 1) - pert_rate_[own_row]) / rows;
    else if (rows > 1)
      mean_pert_rate = (mean_pert_rate_ * rows - pert_rate_[own_row]) / (rows - 1);  // X's only item: X drops out
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
    const int8_t l = label(nx.rows[i], col);
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
  return p;
}

void KnnModel::add_votes(KnnPrediction& p, const Neighbourhood& nx, int32_t col) const {
  // The neighbours that voted (labelled for Y), then the closest ones without a label.
  for (size_t i = 0; i < nx.raw.size() && static_cast<int>(p.votes.size()) < cfg_.k; ++i) {
    const int l = col >= 0 ? label(nx.rows[i], col) : -1;
    if (l >= 0) p.votes.push_back({nx.raw[i].gene, nx.weights[i], l});
  }
  for (size_t i = 0; i < nx.raw.size() && i < static_cast<size_t>(cfg_.k); ++i)
    if (col < 0 || label(nx.rows[i], col) < 0) p.votes.push_back({nx.raw[i].gene, nx.weights[i], -1});
}

KnnPrediction KnnModel::predict(const std::string& perturber, const std::string& target) const {
  auto nx = perturber_neighbourhood(perturber);
  auto ny = target_neighbourhood(target);
  auto it = target_col_.find(target);
  const int32_t col = it == target_col_.end() ? -1 : it->second;
  KnnPrediction p = combine(nx, ny, col);
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
  std::vector<Neighbourhood> nx(perts.size()), ny(targets.size());
  threads = ps::clamp_threads(threads);
  auto run = [&](auto&& fn, size_t n) { ps::parallel_for(n, threads, [&](size_t i, int) { fn(i); }); };
  run([&](size_t i) { nx[i] = perturber_neighbourhood(perts[i]); }, perts.size());
  run([&](size_t i) { ny[i] = target_neighbourhood(targets[i]); }, targets.size());
  std::vector<KnnPrediction> out(items.size());
  run(
      [&](size_t i) {
        const auto& it = items[i];
        auto c = target_col_.find(it.gene);
        const int32_t col = c == target_col_.end() ? -1 : c->second;
        const auto& x = nx[pidx.at(it.pert)];
        int own = -1;
        int32_t own_row = -1;
        if (leave_pair_out && col >= 0) {
          auto r = pert_row_.find(it.pert);
          if (r != pert_row_.end()) own = label(r->second, col), own_row = r->second;
        }
        out[i] = combine(x, ny[tidx.at(it.gene)], col, own, own >= 0 ? own_row : -1);
        out[i].perturber_in_graph = !x.raw.empty() || g_.find(it.pert).has_value();
        if (with_votes) add_votes(out[i], x, col);
      },
      items.size());
  return out;
}

}  // namespace ps::kg
