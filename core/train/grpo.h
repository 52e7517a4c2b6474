// RLCR-GRPO (issue 12): group-relative policy optimisation of the SFT policy with a correctness +
// Brier reward, the learnability filter, KL to the SFT reference and off-policy reuse. The loop
// reads top to bottom (TRL's phase split: generate and score apart from the loss):
//
//   every step:  prompts (learnable pool, DE upsampled) -> rollout (K per prompt)
//                -> reward (reward.h) -> advantage (advantage.h)
//                -> old log-probs (μ > 1) and reference log-probs (β > 0), no grad
//                -> μ times: loss (grpo_loss.h) -> backward -> clip -> AdamW step -> log
//                -> checkpoint
//   at the end:  evaluation on the stored held-out item sets, identical to the SFT run's.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "jobs/job.h"
#include "store/store.h"
#include "train/config.h"
#include "train/evaluate.h"

namespace ps::train {

struct GrpoResult {
  int64_t run_id = 0;
  std::string run_dir, model_dir, adapter_dir;
  int64_t steps = 0, skipped_steps = 0;
  double frac_reward_zero_std = NAN;             // mean over optimiser steps (the filtered batches)
  double frac_reward_zero_std_unfiltered = NAN;  // the same policy's pool before the filter (first scoring)
  // The same two fractions for correctness (groups whose K answers are all right or all wrong):
  // with RLCR's continuous reward a group's reward std is rarely exactly 0, while such groups
  // still carry no signal about the answer itself.
  double frac_zero_variance = NAN, frac_zero_variance_unfiltered = NAN;
  int64_t pool_size = 0, pool_kept = 0;
  std::map<std::string, EvalResult> evals;
  double seconds = 0;
  nlohmann::json to_json() const;  // as SftResult's, plus the zero-std fractions
};

GrpoResult run_grpo(const GrpoConfig& cfg, store::Store& st, jobs::JobContext& ctx, int64_t resume_run_id = 0);

}  // namespace ps::train
