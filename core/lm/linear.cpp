#include "lm/linear.h"

namespace ps::lm {

at::Tensor linear(const at::Tensor& x, const Linear& l, const ForwardOptions& opt) {
  return add_lora(at::matmul(x, l.weight.t()), x, l, opt);  // [..., out] = x [..., in] · Wᵀ [in, out]
}

at::Tensor add_lora(const at::Tensor& y, const at::Tensor& x, const Linear& l, const ForwardOptions& opt) {
  if (!l.lora || !opt.use_adapter) return y;
  const LoraWeights& a = *l.lora;
  at::Tensor h = (opt.training && a.dropout > 0) ? at::dropout(x, a.dropout, /*train=*/true) : x;
  // [..., r] = h · Aᵀ ;  [..., out] = · Bᵀ   (in the adapter's dtype, often float32 under a bf16 model)
  at::Tensor delta = at::matmul(at::matmul(h.to(a.A.scalar_type()), a.A.t()), a.B.t()) * a.scaling;
  return y + delta.to(y.scalar_type());
}

}  // namespace ps::lm
