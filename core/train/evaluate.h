// Policy evaluation on held-out items: batched generation (greedy or sampled) of each item's
// prompt, the one answer parser, and the same metrics and bootstrap CIs as KNN-KG
// (metrics/summary.h) on P(DE):
//   P(DE) = c if the answer says DE, else 1 − c;  an unparseable answer counts as P(DE) = 0.5
//   (a coin flip: it is predicted DE at the 0.5 threshold and costs Brier 0.25), and is counted by
//   reason. Groups for the per-gene AUROC are (cell line, target gene) pairs.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/perturbqa.h"
#include "jobs/job.h"
#include "metrics/summary.h"
#include "prompt/answer_parser.h"
#include "train/config.h"
#include "train/policy.h"

namespace ps::store {
class Store;
}

namespace ps::train {

struct EvalItem {
  data::Item item;
  std::string prompt;              // rendered chat prompt (generation prompt included)
  std::string completion;          // decoded, special tokens kept except the stop id
  prompt::ParsedAnswer parsed;
  double p_de = 0.5;               // as above
  int64_t prompt_tokens = 0, completion_tokens = 0;
  std::string finish_reason;       // stop_id | length
};

struct EvalResult {
  std::string set;                 // "val", "heldout", ...
  std::vector<EvalItem> items;     // in the order given
  metrics::BinarySummary summary;
  double parse_rate = 0;           // parsed / n
  std::map<std::string, int64_t> failures;  // reason -> count
  double tokens_per_item = 0;      // completion tokens
  double seconds = 0;
  // The KNN-KG predictor (the evidence teacher's P(DE)) on the same items, when computed
  // (stage_eval.h): {"predictor": "knn_kg", "f1", "brier", "ece", "auroc_per_gene" (+ "_ci"),
  //  "paired": [{"metric", "policy", "knn_kg", "diff", "diff_ci"}]} with diff = policy − KNN-KG and
  // its paired bootstrap interval (metrics/paired.h). Null when not computed.
  nlohmann::json reference;
  // {"n", "parse_rate", "f1", "f1_ci", "precision", "recall", "brier", "brier_ci", "ece", "ece_ci",
  //  "auroc_per_gene", "auroc_per_gene_ci", "tokens_per_item", "parse_failures", "reliability", ...}
  nlohmann::json to_json() const;
};

// Generates and scores. Progress goes to ctx between f0 and f1; cancellable between batches.
EvalResult evaluate_policy(const Policy& policy, const std::vector<data::Item>& items,
                           const std::vector<std::string>& prompts, const EvalConfig& cfg, uint64_t seed,
                           const std::string& set_name, jobs::JobContext& ctx, double f0 = 0, double f1 = 1);

// Metrics only, from P(DE)s and parse outcomes (shared with TTC and the GRPO validation passes).
EvalResult summarize_eval(std::vector<EvalItem> items, const std::string& set_name, int64_t bootstrap, uint64_t seed);

// Stores every item as a prediction of run_id (prompt, completion, P(DE), tokens, parse reason).
void store_eval_predictions(store::Store& store, int64_t run_id, const EvalResult& r);

}  // namespace ps::train
