// Group-relative advantages of GRPO (TRL GRPOTrainer._generate_and_score_completions;
// pipeline-facts A.1).
//
// Dimensions: N prompts, G = num_generations completions per prompt, B = N*G rows, laid out
// prompt-major (row i belongs to group i / G; rewards.view({N, G})).
//
//   mean_g = (1/G) sum_{i in g} r_i                                         [N]
//   std_g  = sqrt( sum_{i in g} (r_i - mean_g)^2 / (G - 1) )   (unbiased, Bessel)   [N]
//   None  ("none",  false): A_i = r_i - mean_g
//   Group ("group", true):  A_i = (r_i - mean_g) / (std_g + 1e-4)
//   Batch ("batch"):        A_i = (r_i - mean_g) / (std_batch + 1e-4),  std_batch = unbiased std of all B rewards
//                           (the mean stays per group, TRL >= 0.22)
//   frac_reward_zero_std = fraction of groups with isclose(std_g, 0), i.e. |std_g| <= 1e-8
//                          (torch.isclose defaults atol 1e-8, rtol 1e-5 times |0|): groups without any
//                          gradient signal. Always from the group stds, also in "batch" mode (TRL HEAD
//                          uses the batch std there, which makes the metric all-or-nothing).
//   reward_std           = mean of std_g over the groups (TRL v0.19's "reward_std").
//
// A group whose rewards are all equal gets std_g = 0 and A_i = 0 exactly (its floating-point mean
// may differ from the rewards by an ulp, which TRL then divides by 1e-4).
//
// G >= 2 is required (validate()): with one completion per prompt the unbiased std is undefined
// and r - mean is identically 0, so there would be nothing to learn.
//
// Non-finite rewards (NaN, +-inf): a group holding one is flagged as a whole: its advantages are
// exactly 0 (no gradient from any of its completions), its mean and std are NaN, it is left out of
// the batch std, of frac_reward_zero_std and of reward_std, and it is counted in
// n_nonfinite_groups, so the trainer can report it. (TRL HEAD instead drops only the NaN rows
// from the mean; a group with an undefined reward is rather a bug in a reward function here.)
// When every group is flagged, frac_reward_zero_std, reward_std and reward_mean are NaN.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ps::train {

enum class ScaleRewards { None, Group, Batch };

// "none" | "group" | "batch", and TRL's booleans "true" (= group) / "false" (= none);
// throws ps::Error naming the field "scale_rewards" for anything else.
ScaleRewards parse_scale_rewards(const std::string& s);
ScaleRewards scale_rewards_from_bool(bool scale);  // true -> Group, false -> None (TRL <= 0.21)
const char* to_string(ScaleRewards s);              // "none" | "group" | "batch"

struct AdvantageConfig {
  int64_t num_generations = 8;              // G, completions per prompt; >= 2
  ScaleRewards scale = ScaleRewards::Group; // TRL's default ("group"); the RLCR configs use None
  double std_eps = 1e-4;                    // added to the std before dividing (TRL: 1e-4); finite, > 0
  // Throws ps::Error naming the field (num_generations, std_eps).
  void validate() const;
};

struct AdvantageResult {
  at::Tensor advantages;        // [B] float64, on the rewards' device
  at::Tensor group_mean;        // [N] float64 (NaN for a flagged group)
  at::Tensor group_std;         // [N] float64, unbiased (NaN for a flagged group)
  at::Tensor group_finite;      // [N] bool: false for a group flagged for a non-finite reward
  double batch_std = 0;         // unbiased std over the finite groups' rewards (NaN if none)
  double reward_mean = 0;       // mean total reward over the finite groups (TRL's "reward"; NaN if none)
  double reward_std = 0;        // mean of group_std over the finite groups (NaN if none)
  double frac_reward_zero_std = 0;  // over the finite groups (NaN if none)
  int64_t n_groups = 0;         // N
  int64_t n_zero_std_groups = 0;
  int64_t n_nonfinite_groups = 0;
};

// rewards: [B] floating tensor, B a multiple of G (else ps::Error); validates the config.
AdvantageResult compute_advantages(const at::Tensor& rewards, const AdvantageConfig& config);
AdvantageResult compute_advantages(const std::vector<double>& rewards, const AdvantageConfig& config);

}  // namespace ps::train
