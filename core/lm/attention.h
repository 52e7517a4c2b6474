// Causal self-attention with grouped-query heads (GQA), Qwen3's per-head q/k RMSNorm, RoPE and a KV cache.
#pragma once
#include <ATen/ATen.h>

#include "lm/config.h"
#include "lm/kv_cache.h"
#include "lm/linear.h"

namespace ps::lm {

struct AttentionWeights {
  // q, k and v stacked, [(H + 2·KV)·d, hidden], so one matrix product serves all three;
  // q_proj/k_proj/v_proj.weight below are views into it (row blocks).
  at::Tensor qkv;
  Linear q_proj;     // [H·d, hidden]
  Linear k_proj;     // [KV·d, hidden]
  Linear v_proj;     // [KV·d, hidden]
  Linear o_proj;     // [hidden, H·d]
  at::Tensor q_norm; // [d] (Qwen3 only; undefined for Llama)
  at::Tensor k_norm; // [d]
  at::Tensor qk_norm;  // [H + KV, d]: q_norm repeated for the H query heads, then k_norm for the KV heads
};

// Additive attention bias [B, 1, L, T] (0 = allowed, lowest float = masked) for L queries at
// slots offset..offset+L-1 over T = offset + L key slots: a key is visible when its slot is not
// after the query's and key_mask [B, T] marks it real. Undefined when nothing needs masking.
at::Tensor attention_bias(const at::Tensor& key_mask, int64_t offset, int64_t L, bool has_padding, at::Device device,
                          at::ScalarType dtype);

// softmax(q·kᵀ / √d + bias) · v with each KV head shared by H/KV query heads.
// q [B, H, L, d], k/v [B, KV, T, d], bias [B or 1, 1, L, T] or undefined -> [B, H, L, d]
at::Tensor scaled_dot_product(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias);

// x [B, L, hidden] -> [B, L, hidden]; cos/sin [B, 1, L, d]; cache may be null (no caching).
at::Tensor self_attention(const at::Tensor& x, const AttentionWeights& w, const ModelConfig& c, const at::Tensor& cos,
                          const at::Tensor& sin, KVCache* cache, int64_t layer, const at::Tensor& bias,
                          const ForwardOptions& opt);

}  // namespace ps::lm
