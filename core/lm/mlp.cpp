#include "lm/mlp.h"

namespace ps::lm {

at::Tensor swiglu_mlp(const at::Tensor& x, const Linear& gate, const Linear& up, const Linear& down,
                      const ForwardOptions& opt) {
  at::Tensor g = at::silu(linear(x, gate, opt));  // [B, L, inter]
  at::Tensor u = linear(x, up, opt);              // [B, L, inter]
  return linear(g * u, down, opt);                // [B, L, d]
}

}  // namespace ps::lm
