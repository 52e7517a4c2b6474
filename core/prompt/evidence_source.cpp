#include "prompt/evidence_source.h"

#include <algorithm>
#include <map>
#include <random>

#include "common/error.h"
#include "data/splits.h"
#include "metrics/auroc.h"

namespace ps::prompt {

EvidenceSource::EvidenceSource(const kg::KnowledgeGraph& graph, std::string cell_line,
                               const std::vector<data::Item>& train, const kg::KnnConfig& knn, uint64_t seed,
                               int threads)
    : g_(graph), cell_line_(std::move(cell_line)), threads_(threads) {
  if (train.empty()) throw Error("evidence for " + cell_line_ + ": no train items");
  // Calibrator: validation perturbers carved from train, KNN model on the rest (as kg/evaluation.cpp).
  auto fit_calibrator = [&](const std::vector<data::Item>& items) {
    std::vector<data::Item> carved = items;
    for (auto& it : carved) it.split = "train";
    data::carve_validation(carved, 0.2, seed, "train", "val");
    auto sub = data::select_split(carved, "train"), val = data::select_split(carved, "val");
    if (sub.empty() || val.empty()) return metrics::Calibrator();
    kg::KnnModel m(g_, sub, knn);
    auto s = m.scores(val, threads_);
    std::vector<int> y;
    for (const auto& it : val) y.push_back(it.label);
    return metrics::Calibrator::fit(s, y, metrics::Calibrator::Method::Isotonic);
  };
  calibrator_ = fit_calibrator(train);
  // Cross-fitted calibrators for train perturbers (leave-pair-out extends to P(DE)).
  std::vector<std::string> perts;
  for (const auto& it : train)
    if (fold_of_.emplace(it.pert, 0).second) perts.push_back(it.pert);
  std::sort(perts.begin(), perts.end());
  std::mt19937_64 rng(seed * 7919ULL + 11);
  for (size_t i = perts.size(); i > 1; --i) std::swap(perts[i - 1], perts[rng() % i]);
  for (size_t i = 0; i < perts.size(); ++i) fold_of_[perts[i]] = static_cast<int>(i % kFolds);
  for (int k = 0; k < kFolds; ++k) {
    std::vector<data::Item> rest;
    for (const auto& it : train)
      if (fold_of_.at(it.pert) != k) rest.push_back(it);
    fold_calibrators_.push_back(rest.empty() ? metrics::Calibrator() : fit_calibrator(rest));
  }
  model_ = std::make_unique<kg::KnnModel>(g_, train, knn);
}

std::vector<ItemEvidence> EvidenceSource::evidence(const std::vector<data::Item>& items, size_t max_direct) const {
  auto preds = model_->predict_many(items, threads_, /*with_votes=*/true, /*leave_pair_out=*/true);
  std::vector<ItemEvidence> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    const auto& p = preds[i];
    ItemEvidence& e = out[i];
    e.cell_line = cell_line_;
    e.perturber = it.pert;
    e.target = it.gene;
    auto gx = g_.find(it.pert), gy = g_.find(it.gene);
    if (gx) e.perturber_name = g_.gene(*gx).full_name;
    if (gy) e.target_name = g_.gene(*gy).full_name;
    e.perturber_in_graph = gx.has_value();
    // Fused scores are sums of weighted source scores: divide by the weights' sum for a 0..1 similarity.
    const auto& sw = model_->config().sources;
    const double wsum = sw.string + sw.go + sw.reactome;
    for (const auto& v : p.votes) {
      if (v.label < 0) continue;  // only neighbours measured on Y
      e.neighbours.push_back({g_.symbol(v.neighbour), wsum > 0 ? v.weight / wsum : v.weight, v.label});
    }
    if (p.target_seen) {
      e.target_de_rate = p.base_rate;
      e.target_train_n = model_->target_count(it.gene, it.pert);
    }
    if (gx && gy) {
      const kg::Evidence ev = g_.evidence(*gx, *gy, max_direct);
      e.string_score = ev.score[static_cast<int>(kg::Source::String)];
      e.string_channels = ev.string_channels;
      std::sort(e.string_channels.begin(), e.string_channels.end(),
                [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& t : ev.go_terms) e.shared_go.push_back(g_.go_term(t.term).name);
      for (const auto& pw : ev.pathways) e.shared_pathways.push_back(g_.pathway(pw.pathway).name);
    }
    const auto fold = fold_of_.find(it.pert);
    e.knn_probability = fold == fold_of_.end() ? calibrator_(p.score) : fold_calibrators_[fold->second](p.score);
  }
  return out;
}

}  // namespace ps::prompt
