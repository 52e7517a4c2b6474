// SwiGLU feed-forward: down_proj( silu(gate_proj(x)) ⊙ up_proj(x) ), no biases.
#pragma once
#include <ATen/ATen.h>

#include "lm/linear.h"

namespace ps::lm {

// x [B, L, d] -> [B, L, d]; gate_up = [W_gate; W_up] [2·inter, d] (gate/up.weight are views of
// its halves, used here only for their LoRA adapters), down [d, inter]
at::Tensor swiglu_mlp(const at::Tensor& x, const at::Tensor& gate_up, const Linear& gate, const Linear& up,
                      const Linear& down, const ForwardOptions& opt);

}  // namespace ps::lm
