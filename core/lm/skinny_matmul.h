// x · Wᵀ for a handful of rows of x: the product of decoding, where each weight is read
// once per generated token and memory bandwidth, not arithmetic, sets the speed.
#pragma once
#include <ATen/ATen.h>

namespace ps::lm {

// Up to this many rows (batch × positions) the skinny kernel beats BLAS gemm, which packs
// the whole weight on every call (OpenBLAS sgemm at M = 8 moved 4-15 GB/s on a 50 GB/s machine).
constexpr int64_t kSkinnyMaxRows = 16;

// True when skinny_matmul can compute x [M, in] · Wᵀ: float32 CPU tensors, W [out, in]
// contiguous, 1 <= M <= kSkinnyMaxRows, no autograd through either, and a CPU with AVX2+FMA
// (PERTURBSCOPE_SKINNY_MATMUL=0 turns it off).
bool skinny_matmul_applies(const at::Tensor& x2d, const at::Tensor& w);

// y [M, out] = x [M, in] · Wᵀ, W [out, in]. Each block of weight rows (4, or 6 with
// AVX-512) is read from memory once and used for every row of x while it sits in L1/L2;
// one row of x (M = 1) is computed with several far-apart weight streams per thread
// instead (AVX-512 only). Work is split over at::get_num_threads() threads
// (lm/spin_pool.h). Sums in float32 with 8- or 16-wide FMA lanes, so results differ from
// BLAS by rounding only (~1e-6 relative), and do not depend on the thread count.
at::Tensor skinny_matmul(const at::Tensor& x2d, const at::Tensor& w);

// True when skinny_matmul runs its 16-lane AVX-512 kernels; then it also beats sgemv on
// one row (matmul_wt uses it there). PERTURBSCOPE_SKINNY_MATMUL=avx2 forces the 8-lane ones.
bool skinny_matmul_uses_avx512();

}  // namespace ps::lm
