#include "lm/linear.h"

namespace ps::lm {

at::Tensor linear(const at::Tensor& x, const Linear& l, const ForwardOptions& opt) {
  at::Tensor y = at::matmul(x, l.weight.t());  // [..., out] = x [..., in] · Wᵀ [in, out]
  if (l.lora && opt.use_adapter) {
    const LoraWeights& a = *l.lora;
    at::Tensor h = (opt.training && a.dropout > 0) ? at::dropout(x, a.dropout, /*train=*/true) : x;
    // [..., r] = h · Aᵀ ;  [..., out] = · Bᵀ   (in the adapter's dtype, often float32 under a bf16 model)
    at::Tensor delta = at::matmul(at::matmul(h.to(a.A.scalar_type()), a.A.t()), a.B.t()) * a.scaling;
    y = y + delta.to(y.scalar_type());
  }
  return y;
}

}  // namespace ps::lm
