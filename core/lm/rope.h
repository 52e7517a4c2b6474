// Rotary position embedding, "rotate_half" (NeoX / Hugging Face) layout:
//   inv_freq_j = θ^(−2j/d), j = 0..d/2−1        (d = head_dim, θ = rope_theta)
//   angle[p] = concat(p·inv_freq, p·inv_freq)    [d]
//   x' = x·cos(angle) + rotate_half(x)·sin(angle),  rotate_half(x) = concat(−x[d/2:], x[:d/2])
// cos/sin are tabulated once in float32 for every position up to max_position_embeddings.
// Since concat(−x[d/2:], x[:d/2]) = roll(x, d/2) · [−1…−1, +1…+1], the table keeps
// sin · [−1…, +1…] and apply_rope computes x·cos + roll(x, d/2)·sin_signed (4 operations, not 8).
#pragma once
#include <utility>

#include <ATen/ATen.h>

namespace ps::lm {

class Rope {
 public:
  Rope() = default;
  Rope(int64_t head_dim, double theta, int64_t max_positions, at::Device device);
  int64_t max_positions() const { return max_positions_; }
  // positions [B, L] (int64) -> cos, sin_signed [B, 1, L, d] in `dtype`, broadcastable over heads
  std::pair<at::Tensor, at::Tensor> lookup(const at::Tensor& positions, at::ScalarType dtype) const;

 private:
  int64_t max_positions_ = 0;
  at::Tensor cos_, sin_signed_;  // [max_positions, d] float32
};

// x [B, H, L, d] -> rotated x, same shape (sin_signed from Rope::lookup)
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin_signed);

}  // namespace ps::lm
