#include "kg/knn.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/parallel.h"

namespace ps::kg {

std::string KnnConfig::to_json() const {
  nlohmann::json j = {{"k", k}, {"pool", pool}, {"sources", sources.to_string()}, {"power", power}, {"alpha", alpha},
                      {"target_k", target_k}, {"beta", beta}, {"gamma", gamma}};
  return j.dump();
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
  base_rate_.resize(n_targets_);
  for (size_t c = 0; c < n_targets_; ++c) base_rate_[c] = t_pos[c] / t_n[c];
  pert_rate_.resize(pert_gene_.size());
  for (size_t r = 0; r < pert_gene_.size(); ++r) pert_rate_[r] = p_pos[r] / p_n[r], mean_pert_rate_ += pert_rate_[r];
  if (!pert_rate_.empty()) mean_pert_rate_ /= pert_rate_.size();
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

KnnPrediction KnnModel::combine(const Neighbourhood& nx, const Neighbourhood& ny, int32_t col) const {
  KnnPrediction p;
  p.target_seen = col >= 0;
  // Base rate of the target: its own, or its graph neighbours' for an unseen target.
  double base = mean_rate_;
  if (col >= 0) {
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
  p.strength = ws > 0 ? rs / ws - mean_pert_rate_ : 0.0;
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
                                                  bool with_votes) const {
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
        out[i] = combine(x, ny[tidx.at(it.gene)], col);
        out[i].perturber_in_graph = !x.raw.empty() || g_.find(it.pert).has_value();
        if (with_votes) add_votes(out[i], x, col);
      },
      items.size());
  return out;
}

}  // namespace ps::kg
