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
  cos_ = angle.cos().to(device);
  sin_ = angle.sin().to(device);
}

std::pair<at::Tensor, at::Tensor> Rope::lookup(const at::Tensor& positions, at::ScalarType dtype) const {
  const int64_t B = positions.size(0), L = positions.size(1);
  at::Tensor flat = positions.reshape({-1});
  at::Tensor c = cos_.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  at::Tensor s = sin_.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  return {c, s};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);  // rotate_half(x)
  return x * cos + rotated * sin;
}

}  // namespace ps::lm
