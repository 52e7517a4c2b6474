// The GRPO loss of one micro-batch: clipped surrogate + k3 KL, aggregated as TRL does
// (TRL GRPOTrainer._compute_loss at HEAD f2cd577; pipeline-facts A.3, A.4).
//
// Dimensions: B rows (completions) of the micro-batch, T completion tokens (right-padded).
//   logp      [B, T]  log pi_theta(token) of the current policy (requires grad), from temperature-scaled logits
//   old_logp  [B, T]  log-probs of the policy that generated the rollouts, fixed right after generation
//                     (undefined: num_iterations == 1, old = logp.detach(), ratio exactly 1)
//   ref_logp  [B, T]  log-probs of the reference policy (undefined allowed only when beta == 0; ignored then)
//   adv       [B]     advantages (advantage.h), broadcast to every token of the row
//   M         [B, T]  completion mask, 0/1 (rollout_mask.h)
//
//   ratio_t = exp(logp_t - old_logp_t)
//   D_t     = exp(ref_t - logp_t) - (ref_t - logp_t) - 1                    (k3, Schulman; >= 0)
//   L_t     = -min(r1_t * A, clip(ratio_t, 1 - eps_low, 1 + eps_high) * A) + beta * D_t
//             with r1_t = min(ratio_t, delta) when delta is set (INTELLECT-2 two-sided clip), else ratio_t
//   grpo:    loss = mean_i [ sum_t L M / max(sum_t M, 1) ] / grad_accum_steps
//   bnpo:    loss = sum L M / max(sum M, 1) / grad_accum_steps
//   dr_grpo: loss = sum L M / (B * max_completion_length) / grad_accum_steps
//   dapo:    loss = sum L M / active_tokens   (active_tokens = masked tokens of the whole accumulated batch,
//                                              divided by the number of processes: one here)
// Masked positions must hold finite log-probs (as a forward pass gives): L_t * 0 is NaN for a
// non-finite L_t, as in TRL. The arithmetic runs in float32 at least (a bf16 logp is cast,
// differentiably), so token counts and sums stay exact.
// The grad_accum_steps division is TRL HEAD's (for dapo the global token count already spans the
// accumulation). Gradients flow only through logp; where the clip is active (ratio outside the band
// on the side the advantage pushes) the gradient of the surrogate is exactly 0.
//
// Metrics (TRL's names and definitions; masked means over the micro-batch's completion tokens,
// NaN when the mask is all zero, i.e. undefined):
//   kl                    = sum D M / sum M                    (NaN and left out of metrics() when beta == 0)
//   clip_ratio/low_mean   = masked mean of [ratio < 1 - eps_low  AND A < 0]
//   clip_ratio/high_mean  = masked mean of [ratio > 1 + eps_high AND A > 0]
//   clip_ratio/region_mean= masked mean of [low OR high]
//   clip_ratio/low_min, clip_ratio/high_max: TRL takes the min / max of the per-process means; with a
//                           single process they equal low_mean / high_mean (the trainer aggregates over
//                           micro-batches as it logs).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace ps::train {

enum class LossType { Grpo, Bnpo, DrGrpo, Dapo };

// "grpo" | "bnpo" | "dr_grpo" | "dapo"; throws ps::Error naming the field "loss_type" otherwise.
LossType parse_loss_type(const std::string& s);
const char* to_string(LossType t);

struct GrpoLossConfig {
  double epsilon_low = 0.2;             // TRL `epsilon`: lower clip, ratio >= 1 - epsilon_low; in [0, 1)
  double epsilon_high = 0.2;            // TRL `epsilon_high`: upper clip, ratio <= 1 + epsilon_high; >= 0
  std::optional<double> delta;          // cap of the unclipped ratio (two-sided clip); unset: off; > 1 + epsilon_high
  double beta = 0.04;                   // weight of the k3 KL to the reference; >= 0 (0: no reference forward)
  LossType loss_type = LossType::Bnpo;  // the pipeline's (explicit) choice; TRL >= 0.22 defaults to dapo
  int64_t max_completion_length = 256;  // tokens; the dr_grpo denominator; >= 1
  int64_t grad_accum_steps = 1;         // micro-batches per optimizer step (grpo/bnpo/dr_grpo divide by it); >= 1
  // Throws ps::Error naming the field (epsilon_low, epsilon_high, delta, beta, max_completion_length,
  // grad_accum_steps).
  void validate() const;
};

struct GrpoLossInputs {
  at::Tensor logp;             // [B, T] floating, requires grad for training
  at::Tensor old_logp;         // [B, T] or undefined (ratio 1)
  at::Tensor ref_logp;         // [B, T]; required when beta != 0, unused (may be undefined) when beta == 0
  at::Tensor advantages;       // [B] floating (any float dtype; cast to logp's)
  at::Tensor completion_mask;  // [B, T] 0/1 (any dtype)
  // dapo only: masked completion tokens of the whole accumulated batch (all its micro-batches),
  // >= this micro-batch's count. It changes every step, so it travels with the inputs, not the config.
  double dapo_active_tokens = 0;
};

struct GrpoLossResult {
  at::Tensor loss;             // scalar float32 (float64 when logp is), differentiable w.r.t. logp
  at::Tensor per_token_loss;   // [B, T] L_t (before masking), same dtype, differentiable
  int64_t active_tokens = 0;   // sum M of this micro-batch
  double kl = 0;               // masked mean of D_t; NaN when beta == 0 or no active token
  double clip_low_mean = 0, clip_low_min = 0, clip_high_mean = 0, clip_high_max = 0, clip_region_mean = 0;
  // {"kl" (only when beta != 0), "clip_ratio/low_mean", "clip_ratio/low_min", "clip_ratio/high_mean",
  //  "clip_ratio/high_max", "clip_ratio/region_mean"} with the values above (NaN = undefined).
  std::vector<std::pair<std::string, double>> metrics(double beta) const;
};

// Validates the config and the inputs' shapes (ps::Error naming the tensor), computes the loss.
GrpoLossResult grpo_loss(const GrpoLossConfig& config, const GrpoLossInputs& inputs);

// k3 per-token KL estimate D_t = exp(ref - logp) - (ref - logp) - 1, same shape as the inputs
// (which must match); differentiable w.r.t. logp.
at::Tensor k3_kl(const at::Tensor& logp, const at::Tensor& ref_logp);

}  // namespace ps::train
