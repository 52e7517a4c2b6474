#include "lm/mlp.h"

namespace ps::lm {

at::Tensor swiglu_mlp(const at::Tensor& x, const at::Tensor& gate_up, const Linear& gate, const Linear& up,
                      const Linear& down, const ForwardOptions& opt) {
  const int64_t inter = gate_up.size(0) / 2;
  at::Tensor gu = matmul_wt(x, gate_up);                               // [B, L, 2·inter], one product
  at::Tensor g = at::silu(add_lora(gu.narrow(-1, 0, inter), x, gate, opt));  // [B, L, inter]
  at::Tensor u = add_lora(gu.narrow(-1, inter, inter), x, up, opt);          // [B, L, inter]
  return linear(g * u, down, opt);                                     // [B, L, d]
}

}  // namespace ps::lm
