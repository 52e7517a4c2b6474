// Attention of a few new queries against the KV cache, on the CPU: the attention of decoding.
#pragma once
#include <ATen/ATen.h>

namespace ps::lm {

// Up to this many query positions per call (decode: 1) the kernel replaces at::matmul/bmm,
// which on the CPU loops over the B·KV small matrices with a dispatch (and copies) each:
// ~40 ms of a ~120 ms batch-8 decode step of Qwen3-0.6B went there.
constexpr int64_t kDecodeAttentionMaxQueries = 16;

// True when decode_attention can compute the product: float32 CPU tensors, no autograd,
// L <= kDecodeAttentionMaxQueries, H a multiple of KV, unit stride along d for q, k and v,
// bias undefined or [1 or B, 1, L, T] float32, and a CPU with AVX2+FMA.
bool decode_attention_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias);

// o [B, H, L, d] = softmax(q·kᵀ/√d + bias) · v, query head h reading KV head h / (H/KV).
//   q [B, H, L, d];  k, v [B, KV, T, d] (e.g. views into the cache);  bias additive or undefined.
// One task per (sequence, KV head): its keys and values stay in cache for all its queries.
// Softmax in float32 with the maximum subtracted, like at::softmax.
at::Tensor decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias);

}  // namespace ps::lm
