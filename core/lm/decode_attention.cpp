#include "lm/decode_attention.h"

#include <cmath>
#include <limits>
#include <vector>

#include "lm/simd.h"
#include "lm/spin_pool.h"

namespace ps::lm {
namespace {

#ifdef PS_SIMD_X86
// One query row against T keys: o = Σ_t softmax_t(q·k_t·scale + bias_t) · v_t.
//   k_t at k + t·k_stride, v_t at v + t·v_stride (each d floats); bias: T floats or null.
PS_AVX2 void attend_row(const float* q, const float* k, int64_t k_stride, const float* v, int64_t v_stride,
                        const float* bias, int64_t T, int64_t d, float scale, float* scores, float* o) {
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t t = 0; t < T; ++t) {
    float s = simd::dot(q, k + t * k_stride, d) * scale;
    if (bias) s += bias[t];
    scores[t] = s;
    max_score = std::max(max_score, s);
  }
  float total = 0.f;
  for (int64_t t = 0; t < T; ++t) total += (scores[t] = std::exp(scores[t] - max_score));
  const float inv_total = 1.f / total;
  for (int64_t i = 0; i < d; ++i) o[i] = 0.f;
  for (int64_t t = 0; t < T; ++t) simd::axpy(scores[t] * inv_total, v + t * v_stride, o, d);
}
#endif

}  // namespace

bool decode_attention_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias) {
  if (!simd::cpu_has_avx2_fma() || q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return false;
  for (const at::Tensor* t : {&q, &k, &v})
    if (t->scalar_type() != at::kFloat || !t->device().is_cpu() || t->stride(3) != 1 ||
        (at::GradMode::is_enabled() && t->requires_grad()))
      return false;
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), KV = k.size(1), T = k.size(2);
  if (L < 1 || L > kDecodeAttentionMaxQueries || KV < 1 || H % KV != 0 || T < 1) return false;
  if (k.size(0) != B || k.size(3) != d || v.sizes() != k.sizes()) return false;
  if (bias.defined()) {
    if (bias.scalar_type() != at::kFloat || !bias.device().is_cpu() || bias.dim() != 4) return false;
    if ((bias.size(0) != 1 && bias.size(0) != B) || bias.size(1) != 1 || bias.size(2) != L || bias.size(3) != T)
      return false;
    if (at::GradMode::is_enabled() && bias.requires_grad()) return false;
  }
  return true;
}

at::Tensor decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias) {
  TORCH_CHECK(decode_attention_applies(q, k, v, bias), "decode_attention: unsupported operands q ", q.sizes(), ", k ",
              k.sizes(), ", v ", v.sizes());
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), KV = k.size(1), T = k.size(2);
  const int64_t groups = H / KV;
  at::Tensor o = at::empty({B, H, L, d}, q.options());
#ifdef PS_SIMD_X86
  const at::Tensor b = bias.defined() ? bias.contiguous() : bias;
  const float* bias_p = b.defined() ? b.data_ptr<float>() : nullptr;
  const int64_t bias_b_stride = b.defined() && b.size(0) > 1 ? L * T : 0;  // one mask for all rows, or one per row
  const float* qp = q.data_ptr<float>();
  const float* kp = k.data_ptr<float>();
  const float* vp = v.data_ptr<float>();
  float* op = o.data_ptr<float>();
  const float scale = 1.f / std::sqrt(static_cast<float>(d));
  // Tasks of at least ~64k multiply-adds, so a short cache at batch 1 stays on one thread.
  const int64_t per_task = std::max<int64_t>(1, 2 * groups * L * T * d);
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / per_task);
  spin_parallel_for(B * KV, grain, [&](int64_t i0, int64_t i1) {
    std::vector<float> scores(T);
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t bi = i / KV, kv = i % KV;
      const float* kb = kp + bi * k.stride(0) + kv * k.stride(1);
      const float* vb = vp + bi * v.stride(0) + kv * v.stride(1);
      for (int64_t h = kv * groups; h < (kv + 1) * groups; ++h)
        for (int64_t l = 0; l < L; ++l) {
          const float* qrow = qp + bi * q.stride(0) + h * q.stride(1) + l * q.stride(2);
          const float* brow = bias_p ? bias_p + bi * bias_b_stride + l * T : nullptr;
          float* orow = op + ((bi * H + h) * L + l) * d;
          attend_row(qrow, kb, k.stride(2), vb, v.stride(2), brow, T, d, scale, scores.data(), orow);
        }
    }
  });
#endif
  return o;
}

}  // namespace ps::lm
