// Evaluation passes shared by the training loops (SFT, GRPO): the quick validation pass during
// training and the final evaluation of a policy on the stored item sets, recorded in the run.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "train/evaluate.h"
#include "train/recorder.h"
#include "train/task_data.h"

namespace ps::train {

// Prompts for items, each trimmed to the budget with the policy's tokenizer.
std::vector<std::string> policy_prompts(const TaskData& td, const std::vector<data::Item>& items,
                                        const prompt::PromptConfig& pc, const tokenizer::Tokenizer& tok);

// The first eval.during_training_items of the val set, fewer bootstrap resamples (<= 200), logged
// as "val/..." at `step`.
void validation_pass(const Policy& policy, const TaskData& td, const prompt::PromptConfig& pc, const EvalConfig& ec,
                     uint64_t seed, Recorder& rec, int64_t step);

// The KNN-KG predictor on the items `r` was scored on: the evidence teacher's P(DE) for each item
// (its calibrated KNN-KG probability; the target's train DE rate where KNN-KG has no neighbour),
// summarised as r was and compared with r's P(DE) by paired bootstrap (metrics/paired.h; genes
// resampled for the per-gene AUROC). Fills r.reference; returns the KNN-KG summary.
EvalResult knn_kg_reference(const TaskData& td, EvalResult& r, int64_t bootstrap, uint64_t seed);

// Every set of ec.sets, logged at `step` (and the KNN-KG reference as "<set>/knn_kg/...") and
// stored as predictions; progress between f0 and f1.
std::map<std::string, EvalResult> evaluate_sets(const Policy& policy, const TaskData& td, const prompt::PromptConfig& pc,
                                                const EvalConfig& ec, uint64_t seed, Recorder& rec, int64_t step,
                                                jobs::JobContext& ctx, double f0, double f1);

// Adds the evaluated sets to a run's result JSON: j["sets"][name] for each set (without its
// reliability bins), and the headline set's metrics (val, else heldout, else ttc_val) at the top
// level. The run's own fields ("seconds": the whole run's wall time, "run_id", ...) are kept: a
// set's "seconds" (its evaluation time) stays under "sets".
void add_eval_sets(nlohmann::json& j, const std::map<std::string, EvalResult>& evals);

}  // namespace ps::train
