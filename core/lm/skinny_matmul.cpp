#include "lm/skinny_matmul.h"

#include <cstdlib>
#include <cstring>

#include <ATen/Parallel.h>

#include "lm/simd.h"

namespace ps::lm {
namespace {

#ifdef PS_SIMD_X86

using simd::horizontal_sum;

// One register block: y[m][r] = Σ_k x[m][k] · w[r][k] for MB rows of x and RB rows of W.
//   x: MB rows of length in (stride in);  w: RB rows (stride in);  y: row m at y + m·ldy.
// RB·MB accumulators of 8 lanes stay in registers over the whole k loop (RB=4, MB=2: 8 of
// the 16 ymm registers), so each weight vector is loaded once per MB rows of x.
template <int RB, int MB>
PS_AVX2 void dot_block(const float* x, const float* w, int64_t in, float* y, int64_t ldy) {
  __m256 acc[MB][RB];
#pragma GCC unroll 8
  for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) acc[m][r] = _mm256_setzero_ps();
  const int64_t in8 = in & ~int64_t(7);
  for (int64_t k = 0; k < in8; k += 8) {
    __m256 wv[RB];
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) wv[r] = _mm256_loadu_ps(w + r * in + k);
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m) {
      const __m256 xv = _mm256_loadu_ps(x + m * in + k);
#pragma GCC unroll 8
      for (int r = 0; r < RB; ++r) acc[m][r] = _mm256_fmadd_ps(wv[r], xv, acc[m][r]);
    }
  }
  for (int m = 0; m < MB; ++m)
    for (int r = 0; r < RB; ++r) {
      float s = horizontal_sum(acc[m][r]);
      for (int64_t k = in8; k < in; ++k) s += w[r * in + k] * x[m * in + k];  // in % 8 tail
      y[m * ldy + r] = s;
    }
}

// Rows [r0, r1) of y = x · Wᵀ for all M rows of x; y is [M, out].
template <int RB>
PS_AVX2 void weight_rows(const float* x, int64_t M, const float* w, int64_t in, int64_t out, int64_t r0,
                         int64_t r1, float* y) {
  int64_t r = r0;
  for (; r + RB <= r1; r += RB) {
    const float* wr = w + r * in;
    int64_t m = 0;
    for (; m + 2 <= M; m += 2) dot_block<RB, 2>(x + m * in, wr, in, y + m * out + r, out);
    if (m < M) dot_block<RB, 1>(x + m * in, wr, in, y + m * out + r, out);
  }
  for (; r < r1; ++r) {  // out % RB tail, one weight row at a time
    const float* wr = w + r * in;
    for (int64_t m = 0; m < M; ++m) dot_block<1, 1>(x + m * in, wr, in, y + m * out + r, out);
  }
}

#endif  // PS_SIMD_X86

// PERTURBSCOPE_SKINNY_MATMUL=0 turns the kernel off (BLAS for every product), for comparisons.
bool enabled() {
  static const bool on = [] {
    const char* e = std::getenv("PERTURBSCOPE_SKINNY_MATMUL");
    return simd::cpu_has_avx2_fma() && !(e && std::strcmp(e, "0") == 0);
  }();
  return on;
}

}  // namespace

bool skinny_matmul_applies(const at::Tensor& x2d, const at::Tensor& w) {
  if (!enabled() || x2d.dim() != 2 || w.dim() != 2) return false;
  const int64_t M = x2d.size(0);
  if (M < 1 || M > kSkinnyMaxRows || x2d.size(1) != w.size(1) || w.size(0) < 1) return false;
  if (x2d.scalar_type() != at::kFloat || w.scalar_type() != at::kFloat) return false;
  if (!x2d.device().is_cpu() || !w.device().is_cpu() || !w.is_contiguous()) return false;
  // The kernel has no backward: products that autograd must see stay with at::matmul.
  return !(at::GradMode::is_enabled() && (x2d.requires_grad() || w.requires_grad()));
}

at::Tensor skinny_matmul(const at::Tensor& x2d, const at::Tensor& w) {
  TORCH_CHECK(skinny_matmul_applies(x2d, w), "skinny_matmul: unsupported operands x ", x2d.sizes(), " ",
              x2d.scalar_type(), ", W ", w.sizes(), " ", w.scalar_type());
#ifdef PS_SIMD_X86
  const at::Tensor x = x2d.contiguous();
  const int64_t M = x.size(0), in = x.size(1), out = w.size(0);
  at::Tensor y = at::empty({M, out}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* wp = w.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  constexpr int64_t RB = 4;
  const int64_t blocks = (out + RB - 1) / RB;
  // At least ~64k multiply-adds per task, so small products (the tiny model) stay on one thread.
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / (RB * in * M));
  at::parallel_for(0, blocks, grain, [&](int64_t b0, int64_t b1) {
    weight_rows<RB>(xp, M, wp, in, out, b0 * RB, std::min(b1 * RB, out), yp);
  });
  return y;
#else
  return at::matmul(x2d, w.t());  // unreachable: applies() is false off x86-64
#endif
}

}  // namespace ps::lm
