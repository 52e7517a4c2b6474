// Scores of TTC outcomes and the tau sweep (the cost/quality Pareto frontier of selective compute).
//
// A point is one (strategy, selective?, tau): F1 at P(DE) >= 0.5, Brier, ECE (10 bins) and the
// per-gene AUROC of the outcomes' aggregate P(DE) with percentile-bootstrap CIs
// (metrics/summary.h), and tokens_per_item = mean total generated tokens per item (greedy pass
// included for selective points).
//
// The sweep composes selective outcomes from one greedy pass and one uniform pass of each strategy
// over all items (compose_selective), instead of generating again per tau: the extra compute an
// item gets at tau is the same uniform outcome at every tau, so tokens_per_item is non-decreasing
// in tau by construction. (Selective::run, which generates only for the selected items, gives the
// same answers when generation per item does not depend on the batch: greedy, or the sampler's seed
// per item.)
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/summary.h"
#include "ttc/strategy.h"

namespace ps::ttc {

struct ScoredPoint {
  std::string name;            // the strategy: "greedy", "sc", ...
  bool selective = false;
  double tau = NAN;            // NaN for uniform points
  int64_t n = 0;
  int64_t n_selected = 0;      // items given extra compute (selective), else n
  double tokens_per_item = 0;  // NaN when n = 0
  double parse_rate = 0;       // final answers parsed / n
  metrics::BinarySummary summary;
  bool pareto = false;         // on the F1-vs-tokens frontier of its sweep (tau_sweep sets it)
  // {"name", "selective", "tau", "n", "n_selected", "f1", "f1_ci", "brier", "brier_ci", "ece", "ece_ci",
  //  "auroc_per_gene", "auroc_per_gene_ci", "parse_rate", "tokens_per_item", "pareto"}; NaN -> null
  nlohmann::json to_json() const;
};

// labels 0/1 and groups (per-gene AUROC ids) per outcome (same length; ps::Error otherwise).
ScoredPoint score(const std::string& name, bool selective, double tau, const std::vector<TtcOutcome>& outcomes,
                  const std::vector<int>& labels, const std::vector<int>& groups, const metrics::SummaryOptions& opt);

// 0, 0.05, ..., 1 (21 values).
std::vector<double> default_taus();

// Points: uniform greedy, each uniform strategy, then for each non-greedy strategy every tau
// (selective). `greedy` and each uniform outcome list hold one outcome per item, in the same order.
// Marks the Pareto points: no other point has tokens_per_item <= and F1 >= with one strictly better.
std::vector<ScoredPoint> tau_sweep(const std::vector<TtcOutcome>& greedy,
                                   const std::vector<std::pair<std::string, std::vector<TtcOutcome>>>& uniform,
                                   const std::vector<double>& taus, const std::vector<int>& labels,
                                   const std::vector<int>& groups, const metrics::SummaryOptions& opt);

// Sets `pareto` on the given points (F1 up, tokens down; NaN F1 or tokens never on the frontier).
void mark_pareto(std::vector<ScoredPoint>& points);

}  // namespace ps::ttc
