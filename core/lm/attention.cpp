#include "lm/attention.h"

#include <cmath>
#include <limits>

#if __has_include(<torch/version.h>)
#include <torch/version.h>  // TORCH_VERSION_MAJOR
#endif

#include "lm/decode_attention.h"
#include "lm/rmsnorm.h"
#include "lm/rope.h"

namespace ps::lm {

at::Tensor attention_bias(const at::Tensor& key_mask, int64_t offset, int64_t L, bool has_padding, at::Device dev,
                          at::ScalarType dtype) {
  const int64_t T = offset + L;
  if (L == 1 && !has_padding) return {};  // one new token sees every cached slot
  at::Tensor q_slot = at::arange(offset, T, at::TensorOptions().device(dev).dtype(at::kLong)).view({L, 1});
  at::Tensor k_slot = at::arange(0, T, at::TensorOptions().device(dev).dtype(at::kLong)).view({1, T});
  at::Tensor allowed = k_slot.le(q_slot).view({1, 1, L, T});                  // causal by slot
  if (key_mask.defined()) allowed = allowed.logical_and(key_mask.to(at::kBool).view({-1, 1, 1, T}));
  // A finite "minus infinity" keeps rows that see nothing (queries on padding) free of NaN, as HF does.
  at::Tensor bias = at::zeros(allowed.sizes(), at::TensorOptions().device(dev).dtype(dtype));
  const double lowest = dtype == at::kHalf       ? -65504.0
                        : dtype == at::kBFloat16 ? static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest())
                        : dtype == at::kDouble   ? std::numeric_limits<double>::lowest()
                                                 : std::numeric_limits<float>::lowest();
  return bias.masked_fill(allowed.logical_not(), at::Scalar(lowest));
}

at::Tensor scaled_dot_product(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3);
  const int64_t KV = k.size(1), T = k.size(2), groups = H / KV;
  // Decoding on the CPU: a handful of queries per sequence, where batched matmul is all overhead.
  if (decode_attention_applies(q, k, v, bias)) return decode_attention(q, k, v, bias);
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
  // Fused kernel (flash / memory-efficient where the device has them); repeat KV heads for GQA.
  at::Tensor kr = groups > 1 ? k.repeat_interleave(groups, 1) : k;
  at::Tensor vr = groups > 1 ? v.repeat_interleave(groups, 1) : v;
  (void)B; (void)L; (void)d; (void)T;
  return at::scaled_dot_product_attention(q, kr, vr, bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt,
                                          0.0, false);
#else
  // Query heads h = kv·groups + j share KV head kv, so fold the group into the query rows:
  // q [B, H, L, d] -> [B, KV, groups·L, d], no copy of the keys.
  at::Tensor qg = q.reshape({B, KV, groups * L, d});
  at::Tensor scores = at::matmul(qg, k.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(d)));  // [B, KV, g·L, T]
  if (bias.defined()) scores = (scores.view({B, KV, groups, L, T}) + bias.unsqueeze(2)).view({B, KV, groups * L, T});
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());  // softmax in float32
  return at::matmul(probs, v).view({B, H, L, d});                               // [B, KV, g·L, d] -> [B, H, L, d]
#endif
}

at::Tensor self_attention(const at::Tensor& x, const AttentionWeights& w, const ModelConfig& c, const at::Tensor& cos,
                          const at::Tensor& sin, KVCache* cache, int64_t layer, const at::Tensor& bias,
                          const ForwardOptions& opt) {
  const int64_t B = x.size(0), L = x.size(1);
  const int64_t H = c.num_heads, KV = c.num_kv_heads, d = c.head_dim;
  at::Tensor qkv = matmul_wt(x, w.qkv);        // [B, L, (H + 2·KV)·d] = x · [Wq; Wk; Wv]ᵀ
  // q and k are handled as one block of H + KV heads: the same per-head RMSNorm and RoPE apply to both.
  at::Tensor qk = qkv.narrow(-1, 0, (H + KV) * d);
  at::Tensor v = add_lora(qkv.narrow(-1, (H + KV) * d, KV * d), x, w.v_proj, opt);
  if (opt.use_adapter && (w.q_proj.lora || w.k_proj.lora))
    qk = at::cat({add_lora(qk.narrow(-1, 0, H * d), x, w.q_proj, opt), add_lora(qk.narrow(-1, H * d, KV * d), x, w.k_proj, opt)}, -1);
  qk = qk.view({B, L, H + KV, d});
  if (c.has_qk_norm()) {
    // While the norms train (full fine-tuning) the stacked copy is rebuilt so gradients reach them.
    const at::Tensor qk_w = w.q_norm.requires_grad() && at::GradMode::is_enabled()
                                ? at::cat({w.q_norm.expand({H, d}), w.k_norm.expand({KV, d})})
                                : w.qk_norm;
    qk = rms_norm(qk, qk_w, c.rms_norm_eps);
  }  // Qwen3: RMSNorm over d, per head, before RoPE
  qk = apply_rope(qk.transpose(1, 2), cos, sin);                       // [B, H + KV, L, d]
  at::Tensor q = qk.narrow(1, 0, H);                                   // [B, H, L, d]
  at::Tensor k = qk.narrow(1, H, KV);                                  // [B, KV, L, d]
  v = v.view({B, L, KV, d}).transpose(1, 2);                           // [B, KV, L, d]
  if (cache) std::tie(k, v) = cache->append(layer, k, v);  // [B, KV, T, d]
  at::Tensor o = scaled_dot_product(q, k, v, bias);         // [B, H, L, d]
  o = o.transpose(1, 2).reshape({B, L, c.num_heads * c.head_dim});
  return linear(o, w.o_proj, opt);  // [B, L, hidden]
}

}  // namespace ps::lm
