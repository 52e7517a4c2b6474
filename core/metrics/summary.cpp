#include "metrics/summary.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace ps::metrics {

BinarySummary summarize_binary(const std::vector<double>& probs, const std::vector<int>& labels,
                               const std::vector<int>& groups, const SummaryOptions& opt) {
  BinarySummary s;
  s.n = static_cast<int64_t>(probs.size());
  for (int y : labels) s.n_positive += y;
  AurocIndex index(probs, labels, groups);
  auto per_gene = index.per_group();
  s.auroc_per_gene = per_gene.mean;
  s.genes_used = per_gene.groups_used;
  s.genes_skipped = per_gene.groups_skipped;
  auto pooled = index.pooled();
  s.auroc_pooled = pooled ? *pooled : std::nan("");
  s.at_threshold = at_threshold(probs, labels, opt.threshold);
  s.f1_optimal = f1_optimal(probs, labels);
  s.brier = brier(probs, labels);
  s.reliability = reliability_bins(probs, labels, opt.ece_bins);
  s.ece = ece(probs, labels, opt.ece_bins);
  s.bootstrap_resamples = opt.bootstrap_resamples;
  if (opt.bootstrap_resamples > 0 && s.n > 0) {
    auto cis = bootstrap_cis(
        probs.size(), 4,
        [&](const std::vector<double>& w, std::vector<double>& out) {
          auto p = index.pooled(&w);
          out[0] = p ? *p : std::nan("");
          out[1] = at_threshold(probs, labels, opt.threshold, &w).f1;
          out[2] = brier(probs, labels, &w);
          out[3] = ece(probs, labels, opt.ece_bins, &w);
        },
        opt.bootstrap_resamples, opt.seed, opt.ci_level, opt.threads);
    s.auroc_pooled_ci = cis[0];
    s.f1_ci = cis[1];
    s.brier_ci = cis[2];
    s.ece_ci = cis[3];
    const auto& v = per_gene.values;
    if (!v.empty()) {
      s.auroc_per_gene_ci = bootstrap_cis(
          v.size(), 1,
          [&](const std::vector<double>& w, std::vector<double>& out) {
            double sum = 0, n = 0;
            for (size_t i = 0; i < v.size(); ++i) sum += w[i] * v[i], n += w[i];
            out[0] = sum / n;
          },
          opt.bootstrap_resamples, opt.seed, opt.ci_level, 1)[0];
    } else {
      s.auroc_per_gene_ci = {std::nan(""), std::nan("")};
    }
  }
  return s;
}

namespace {
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
nlohmann::json ci(const Interval& i) { return nlohmann::json::array({num(i.lo), num(i.hi)}); }
}  // namespace

std::string to_json(const BinarySummary& s) {
  nlohmann::json j;
  j["n"] = s.n;
  j["n_positive"] = s.n_positive;
  j["auroc_per_gene"] = num(s.auroc_per_gene);
  j["genes_used"] = s.genes_used;
  j["genes_skipped"] = s.genes_skipped;
  j["auroc_pooled"] = num(s.auroc_pooled);
  j["threshold"] = s.at_threshold.threshold;
  j["precision"] = num(s.at_threshold.precision);
  j["recall"] = num(s.at_threshold.recall);
  j["f1"] = num(s.at_threshold.f1);
  j["f1_optimal"] = num(s.f1_optimal.f1);
  j["f1_optimal_threshold"] = num(s.f1_optimal.threshold);
  j["precision_at_f1_optimal"] = num(s.f1_optimal.precision);
  j["recall_at_f1_optimal"] = num(s.f1_optimal.recall);
  j["brier"] = num(s.brier);
  j["ece"] = num(s.ece);
  j["bootstrap_resamples"] = s.bootstrap_resamples;
  if (s.bootstrap_resamples > 0) {
    j["auroc_per_gene_ci"] = ci(s.auroc_per_gene_ci);
    j["auroc_pooled_ci"] = ci(s.auroc_pooled_ci);
    j["f1_ci"] = ci(s.f1_ci);
    j["brier_ci"] = ci(s.brier_ci);
    j["ece_ci"] = ci(s.ece_ci);
  }
  auto bins = nlohmann::json::array();
  for (const auto& b : s.reliability)
    bins.push_back({{"lo", b.lo}, {"hi", b.hi}, {"count", b.count},
                    {"mean_confidence", num(b.mean_confidence)}, {"accuracy", num(b.accuracy)}});
  j["reliability"] = bins;
  return j.dump();
}

}  // namespace ps::metrics
