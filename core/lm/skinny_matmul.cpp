#include "lm/skinny_matmul.h"

#include <cstdlib>
#include <cstring>

#include "lm/simd.h"
#include "lm/spin_pool.h"

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

// The same register block with 16-lane vectors, for CPUs with AVX-512: its 32 registers
// hold RB·MB = 6·4 = 24 accumulators, so each weight vector feeds 4 rows of x and each x
// vector 6 weight rows (10 loads per 24 FMAs, against 6 per 8 above). Qwen3-0.6B's decode
// products at 8 rows: ~105-115 GFLOP/s on the 2-core EPYC VM, against ~65-80 for the
// 8-lane block.
template <int RB, int MB>
PS_AVX512 void dot_block16(const float* x, const float* w, int64_t in, float* y, int64_t ldy,
                           const float* prefetch = nullptr) {
  __m512 acc[MB][RB];
#pragma GCC unroll 8
  for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) acc[m][r] = _mm512_setzero_ps();
  const int64_t in16 = in & ~int64_t(15);
  for (int64_t k = 0; k < in16; k += 16) {
    __m512 wv[RB];
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r) wv[r] = _mm512_loadu_ps(w + r * in + k);
    if (prefetch)
#pragma GCC unroll 8
      for (int r = 0; r < RB; ++r) _mm_prefetch(reinterpret_cast<const char*>(prefetch + r * in + k), _MM_HINT_T0);
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m) {
      const __m512 xv = _mm512_loadu_ps(x + m * in + k);
#pragma GCC unroll 8
      for (int r = 0; r < RB; ++r) acc[m][r] = _mm512_fmadd_ps(wv[r], xv, acc[m][r]);
    }
  }
  for (int m = 0; m < MB; ++m)
    for (int r = 0; r < RB; ++r) {
      float s = _mm512_reduce_add_ps(acc[m][r]);
      for (int64_t k = in16; k < in; ++k) s += w[r * in + k] * x[m * in + k];  // in % 16 tail
      y[m * ldy + r] = s;
    }
}

// weight_rows with dot_block16: blocks of 6 weight rows × 4 rows of x, tails in smaller blocks.
PS_AVX512 void weight_rows16(const float* x, int64_t M, const float* w, int64_t in, int64_t out, int64_t r0,
                             int64_t r1, float* y) {
  constexpr int RB = 6;
  int64_t r = r0;
  for (; r + RB <= r1; r += RB) {
    const float* wr = w + r * in;
    // While this block computes, fetch the next one: each row is one 4 KiB page, where
    // the hardware prefetcher stops, so without this every block started cold.
    const float* next = r + 2 * RB <= r1 ? wr + RB * in : nullptr;
    int64_t m = 0;
    for (; m + 4 <= M; m += 4) dot_block16<RB, 4>(x + m * in, wr, in, y + m * out + r, out, m == 0 ? next : nullptr);
    for (; m + 2 <= M; m += 2) dot_block16<RB, 2>(x + m * in, wr, in, y + m * out + r, out);
    if (m < M) dot_block16<RB, 1>(x + m * in, wr, in, y + m * out + r, out);
  }
  for (; r < r1; ++r) {  // out % RB tail, one weight row at a time
    const float* wr = w + r * in;
    for (int64_t m = 0; m < M; ++m) dot_block16<1, 1>(x + m * in, wr, in, y + m * out + r, out);
  }
}

// One row of x (decode at batch 1): y[r] = Σ_k w[r][k] · x[k] for rows [r0, r1).
// Nothing is reused, every weight byte is read once, so only the pattern of the reads
// matters: the rows are cut into S far-apart parts walked at the same time, one row from
// each per step. S concurrent sequential streams per core keep more cache-line fetches in
// flight than one; on the 2-core EPYC VM one stream per thread (OpenBLAS sgemv) read the
// Qwen3-0.6B weights at ~47 GB/s, four 512-bit streams at ~55-60 (and 256-bit ones did not
// gain). x (one row, <= 16 KiB for these models) stays in L1.
template <int S>
PS_AVX512 void one_row_streams(const float* x, const float* w, int64_t in, int64_t r0, int64_t r1, float* y) {
  const int64_t part = (r1 - r0) / S;  // rows per stream; the last (r1 - r0) % S rows follow below
  const int64_t in32 = in & ~int64_t(31);
  for (int64_t j = 0; j < part; ++j) {
    const float* row[S];
    __m512 acc[S][2];  // two chains per row hide the FMA latency
#pragma GCC unroll 8
    for (int s = 0; s < S; ++s) {
      row[s] = w + (r0 + s * part + j) * in;
      acc[s][0] = acc[s][1] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < in32; k += 32) {
      const __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
#pragma GCC unroll 8
      for (int s = 0; s < S; ++s) {
        acc[s][0] = _mm512_fmadd_ps(_mm512_loadu_ps(row[s] + k), x0, acc[s][0]);
        acc[s][1] = _mm512_fmadd_ps(_mm512_loadu_ps(row[s] + k + 16), x1, acc[s][1]);
      }
    }
    for (int s = 0; s < S; ++s) {
      float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc[s][0], acc[s][1]));
      for (int64_t k = in32; k < in; ++k) sum += row[s][k] * x[k];  // in % 32 tail
      y[r0 + s * part + j] = sum;
    }
  }
  // The (r1 - r0) % S rows left over, one stream, summed in the same order as above: a
  // row's result does not depend on which stream or thread computed it.
  if constexpr (S > 1) one_row_streams<1>(x, w, in, r0 + S * part, r1, y);
}

#endif  // PS_SIMD_X86

// PERTURBSCOPE_SKINNY_MATMUL=0 turns the kernel off (BLAS for every product), for comparisons;
// =avx2 keeps it to 8-lane vectors on a CPU with AVX-512 (so that path is tested there too).
const char* setting() {
  const char* e = std::getenv("PERTURBSCOPE_SKINNY_MATMUL");
  return e ? e : "";
}

bool enabled() {
  static const bool on = simd::cpu_has_avx2_fma() && std::strcmp(setting(), "0") != 0;
  return on;
}

}  // namespace

bool skinny_matmul_uses_avx512() {
  static const bool wide = enabled() && simd::cpu_has_avx512f() && std::strcmp(setting(), "avx2") != 0;
  return wide;
}

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
  const bool wide = skinny_matmul_uses_avx512();
  if (M == 1 && wide) {
    // Whole ranges of rows per thread (each then walked as 4 streams); small products
    // (under ~64k multiply-adds) stay on one thread.
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, in));
    spin_parallel_for(out, grain, [&](int64_t r0, int64_t r1) { one_row_streams<4>(xp, wp, in, r0, r1, yp); });
    return y;
  }
  const int64_t RB = wide ? 6 : 4;  // weight rows per register block
  const int64_t blocks = (out + RB - 1) / RB;
  // At least ~64k multiply-adds per task, so small products (the tiny model) stay on one thread.
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / (RB * in * M));
  spin_parallel_for(blocks, grain, [&](int64_t b0, int64_t b1) {
    const int64_t r0 = b0 * RB, r1 = std::min(b1 * RB, out);
    if (wide) weight_rows16(xp, M, wp, in, out, r0, r1, yp);
    else weight_rows<4>(xp, M, wp, in, out, r0, r1, yp);
  });
  return y;
#else
  return at::matmul(x2d, w.t());  // unreachable: applies() is false off x86-64
#endif
}

}  // namespace ps::lm
