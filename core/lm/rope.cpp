#include "lm/rope.h"

#include <algorithm>
#include <limits>

#include "common/error.h"

namespace ps::lm {

namespace {
constexpr int64_t kInitialRows = 4096;
}

Rope::Rope(int64_t head_dim, double theta, int64_t max_positions, at::Device device)
    : head_dim_(head_dim), max_positions_(max_positions), device_(device), table_(std::make_shared<Table>()) {
  if (head_dim <= 0 || head_dim % 2 != 0) throw Error("RoPE: head_dim must be positive and even, got " + std::to_string(head_dim));
  if (max_positions <= 0) throw Error("RoPE: max_position_embeddings must be positive");
  // float32 arithmetic below: a theta beyond FLT_MAX (or NaN, or < 1) has no meaningful table.
  if (!(theta >= 1.0 && theta <= double(std::numeric_limits<float>::max())))
    throw Error("RoPE: rope_theta must be a number from 1 to 3.4e38, got " + std::to_string(theta));
  auto f32 = at::TensorOptions().dtype(at::kFloat);
  // Same float32 arithmetic as HF: inv_freq = 1 / θ^(arange(0, d, 2) / d)
  at::Tensor exponent = at::arange(0, head_dim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) / static_cast<double>(head_dim);
  table_->inv_freq = 1.0 / at::pow(at::scalar_tensor(theta, f32), exponent);  // [d/2]
  std::lock_guard<std::mutex> lock(table_->mutex);
  grow(*table_, std::min(max_positions, kInitialRows));
}

void Rope::grow(Table& t, int64_t rows) const {
  auto f32 = at::TensorOptions().dtype(at::kFloat);
  at::Tensor pos = at::arange(rows, f32);                                          // [P]
  at::Tensor freqs = at::outer(pos, t.inv_freq);                                   // [P, d/2]
  at::Tensor angle = at::cat({freqs, freqs}, -1);                                  // [P, d]
  at::Tensor sign = at::cat({-at::ones({head_dim_ / 2}, f32), at::ones({head_dim_ / 2}, f32)});  // [d]
  t.cos = angle.cos().to(device_);
  t.sin_signed = (angle.sin() * sign).to(device_);
  t.n = rows;
}

int64_t Rope::tabulated() const {
  if (!table_) return 0;
  std::lock_guard<std::mutex> lock(table_->mutex);
  return table_->n;
}

std::pair<at::Tensor, at::Tensor> Rope::lookup(const at::Tensor& positions, at::ScalarType dtype, int64_t needed) const {
  if (!table_) throw Error("RoPE: lookup on an empty table");
  const int64_t B = positions.size(0), L = positions.size(1);
  if (needed < 0) needed = positions.numel() ? positions.max().item<int64_t>() + 1 : 0;
  if (needed > max_positions_)
    throw Error("RoPE: position " + std::to_string(needed - 1) + " is beyond max_position_embeddings (" +
                std::to_string(max_positions_) + ")");
  at::Tensor cos, sin;
  {
    std::lock_guard<std::mutex> lock(table_->mutex);
    if (needed > table_->n) grow(*table_, std::min(max_positions_, std::max(needed, 2 * table_->n)));
    cos = table_->cos;
    sin = table_->sin_signed;
  }
  at::Tensor flat = positions.reshape({-1});
  at::Tensor c = cos.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  at::Tensor s = sin.index_select(0, flat).view({B, 1, L, -1}).to(dtype);
  return {c, s};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin_signed) {
  // roll(x, d/2) = concat(x[d/2:], x[:d/2]); times the signed sin it is rotate_half(x)·sin
  return x * cos + at::roll(x, {x.size(-1) / 2}, {-1}) * sin_signed;
}

}  // namespace ps::lm
