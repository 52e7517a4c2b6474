// SwiGLU feed-forward: down_proj( silu(gate_proj(x)) ⊙ up_proj(x) ), no biases.
#pragma once
#include <ATen/ATen.h>

#include "lm/linear.h"

namespace ps::lm {

// x [B, L, d] -> [B, L, d]; gate/up [inter, d], down [d, inter]
at::Tensor swiglu_mlp(const at::Tensor& x, const Linear& gate, const Linear& up, const Linear& down,
                      const ForwardOptions& opt);

}  // namespace ps::lm
