// x · Wᵀ for a handful of rows of x: the product of decoding, where each weight is read
// once per generated token and memory bandwidth, not arithmetic, sets the speed.
#pragma once
#include <ATen/ATen.h>

namespace ps::lm {

// Up to this many rows (batch × positions) the skinny kernel beats BLAS gemm, which packs
// the whole weight on every call (OpenBLAS sgemm at M = 8 moved 4-15 GB/s on a 50 GB/s machine).
constexpr int64_t kSkinnyMaxRows = 16;

// True when skinny_matmul can compute x [M, in] · Wᵀ: float32 CPU tensors, W [out, in]
// contiguous, 1 <= M <= kSkinnyMaxRows, no autograd through either, and a CPU with AVX2+FMA.
bool skinny_matmul_applies(const at::Tensor& x2d, const at::Tensor& w);

// y [M, out] = x [M, in] · Wᵀ, W [out, in]. Each block of 4 weight rows is read from
// memory once and used for every row of x while it sits in L1/L2; the blocks are split
// over at::get_num_threads() threads. Sums in float32 with 8-wide FMA lanes, so results
// differ from BLAS by rounding only (~1e-6 relative).
at::Tensor skinny_matmul(const at::Tensor& x2d, const at::Tensor& w);

}  // namespace ps::lm
