// Rotary position embedding, "rotate_half" (NeoX / Hugging Face) layout:
//   inv_freq_j = θ^(−2j/d), j = 0..d/2−1        (d = head_dim, θ = rope_theta)
//   angle[p] = concat(p·inv_freq, p·inv_freq)    [d]
//   x' = x·cos(angle) + rotate_half(x)·sin(angle),  rotate_half(x) = concat(−x[d/2:], x[:d/2])
// cos/sin are tabulated in float32 for positions [0, n): n starts at min(max_positions, 4096) and
// grows (doubling, never past max_position_embeddings) when a lookup needs more, so a config's
// max_position_embeddings (which may be 2^40 in a hostile or mistaken config.json) never decides
// an allocation by itself. Growing recomputes the same float32 values, so results do not depend
// on the table's size. Lookups are thread-safe.
// Since concat(−x[d/2:], x[:d/2]) = roll(x, d/2) · [−1…−1, +1…+1], the table keeps
// sin · [−1…, +1…] and apply_rope computes x·cos + roll(x, d/2)·sin_signed (4 operations, not 8).
#pragma once
#include <memory>
#include <mutex>
#include <utility>

#include <ATen/ATen.h>

namespace ps::lm {

class Rope {
 public:
  Rope() = default;
  Rope(int64_t head_dim, double theta, int64_t max_positions, at::Device device);
  int64_t max_positions() const { return max_positions_; }
  // positions [B, L] (int64, each in [0, needed)) -> cos, sin_signed [B, 1, L, d] in `dtype`,
  // broadcastable over heads. `needed` (e.g. cache length + L) sizes the table without reading
  // the positions back; -1 reads their maximum. ps::Error when it exceeds max_positions.
  std::pair<at::Tensor, at::Tensor> lookup(const at::Tensor& positions, at::ScalarType dtype, int64_t needed = -1) const;
  int64_t tabulated() const;  // rows of the table now

 private:
  struct Table {
    std::mutex mutex;
    at::Tensor inv_freq;             // [d/2] float32, CPU
    at::Tensor cos, sin_signed;      // [n, d] float32 on the device
    int64_t n = 0;
  };
  void grow(Table& t, int64_t rows) const;  // holds t.mutex
  int64_t head_dim_ = 0;
  int64_t max_positions_ = 0;
  at::Device device_ = at::kCPU;
  std::shared_ptr<Table> table_;
};

// x [B, H, L, d] -> rotated x, same shape (sin_signed from Rope::lookup)
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin_signed);

}  // namespace ps::lm
