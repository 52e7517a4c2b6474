// RMSNorm, computed in float32 whatever the model dtype (as HF Llama/Qwen3 do):
//   y = weight · cast_back( x / sqrt(mean(x², last dim) + eps) )
#pragma once
#include <ATen/ATen.h>

namespace ps::lm {

// x [..., d], weight [d] -> [..., d] in x's dtype
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace ps::lm
