// Teacher-forced per-token log-probabilities (SFT loss, GRPO ratio and KL, TTC scoring):
//
//   logp[b, j] = log softmax(h[b, t] · Wᵀ / temperature)[ids[b, t + 1]],   t = L − 1 − n_keep + j
//
// where h = the model's final-norm hidden states and W = lm_head. Only the last n_keep target
// positions are scored (TRL's logits_to_keep), and the vocabulary product is done in chunks of
// rows with a custom backward that recomputes each chunk's logits, so fp32 logits [B, L, V]
// are never held for the whole batch (Qwen3's V = 151,936: 8 × 2,048 tokens would be ~10 GB).
//
// Dimension legend: B rows, L tokens per row (prompt + completion), n_keep scored positions,
// H hidden size, V vocabulary.
#pragma once
#include <cstdint>

#include <ATen/ATen.h>

#include "lm/model.h"

namespace ps::lm {

struct LogprobOptions {
  double temperature = 1.0;    // logits are divided by it before the softmax (GRPO: the sampling T)
  int64_t chunk_rows = 1024;   // rows of the [rows, V] logits materialised at once
  bool with_entropy = false;   // also the entropy of each scored distribution (no gradient)
  bool with_argmax = false;    // also the most likely token at each position (token accuracy)
  bool use_adapter = true;     // false: the reference policy (base weights under an adapter)
  bool training = false;       // LoRA dropout on
  bool gradient_checkpointing = false;  // recompute each layer in backward (lm/checkpointing.h)
};

struct TokenLogprobs {
  at::Tensor logprobs;  // [B, n_keep] float32, differentiable when the model's weights require grad
  at::Tensor entropy;   // [B, n_keep] float32 (with_entropy only), detached
  at::Tensor argmax;    // [B, n_keep] int64 (with_argmax only)
};

// ids, attention_mask [B, L] (mask 1 = real token; left or right padding), positions [B, L].
// Scores the last n_keep tokens of each row (1 <= n_keep <= L - 1). Masking of padded targets is
// the caller's job (their values are finite but meaningless).
TokenLogprobs token_logprobs(const Model& model, const at::Tensor& ids, const at::Tensor& attention_mask,
                             const at::Tensor& positions, int64_t n_keep, const LogprobOptions& opt = {});

// The core op, exposed for tests: hidden [N, H], weight [V, H], targets [N] int64 ->
// log softmax(hidden · weightᵀ / T)[targets], [N] float32, with a chunked recomputing backward
// (gradients to hidden and, when it requires grad, weight). Entropy and argmax of each row's
// distribution come from the same chunked pass when asked (no gradient through them).
struct SelectiveResult {
  at::Tensor logprobs;  // [N] float32
  at::Tensor entropy;   // [N] float32 or undefined
  at::Tensor argmax;    // [N] int64 or undefined
};
SelectiveResult selective_log_softmax(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets,
                                      double temperature, int64_t chunk_rows, bool with_entropy = false,
                                      bool with_argmax = false);

// Positions for a padded batch as Hugging Face derives them: cumsum(mask) − 1, padding -> 1.
at::Tensor positions_from_mask(const at::Tensor& attention_mask);

}  // namespace ps::lm
