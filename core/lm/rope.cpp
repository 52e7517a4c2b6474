#include "lm/rope.h"

namespace ps::lm {

Rope::Rope(int64_t head_dim, double theta, int64_t max_positions, at::Device device) : max_positions_(max_positions) {
  auto f32 = at::TensorOptions().dtype(at::kFloat);
  // Same float32 arithmetic as HF: inv_freq = 1 / θ^(arange(0, d, 2) / d)
  at::Tensor exponent = at::arange(0, head_dim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) / static_cast<double>(head_dim);
  at::Tensor inv_freq = 1.0 / at::pow(at::scalar_tensor(theta, f32), exponent);  // [d/2]
  at::Tensor pos = at::arange(max_positions, f32);                                 // [P]
  at::Tensor freqs = at::outer(pos, inv_freq);                                     // [P, d/2]
  at::Tensor angle = at::cat({freqs, freqs}, -1);                                  // [P, d]
  at::Tensor sign = at::cat({-at::ones({head_dim / 2}, f32), at::ones({head_dim / 2}, f32)});  // [d]
  cos_ = angle.cos().to(device);
  sin_signed_ = (angle.sin() * sign).to(device);
}

std::pair<at::Tensor, at::Tensor> Rope::lookup(const at::Tensor& positions, at::ScalarType dtype) const {
  const int64_t B = positions.size(0), L = positions.size(1);
  at::Tensor flat = positions.reshape({-1});
  at::Tensor c = cos_.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  at::Tensor s = sin_signed_.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  return {c, s};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin_signed) {
  // roll(x, d/2) = concat(x[d/2:], x[:d/2]); times the signed sin it is rotate_half(x)·sin
  return x * cos + at::roll(x, {x.size(-1) / 2}, {-1}) * sin_signed;
}

}  // namespace ps::lm
