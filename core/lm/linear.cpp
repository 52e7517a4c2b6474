#include "lm/linear.h"

#include "lm/skinny_matmul.h"

namespace ps::lm {

at::Tensor matmul_wt(const at::Tensor& x, const at::Tensor& w) {
  const int64_t in = w.size(1), out = w.size(0);
  const int64_t rows = in > 0 ? x.numel() / in : 0;
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = out;
  const at::Tensor x2d = x.reshape({rows, in});
  // One row (decode at batch 1): with AVX-512 the skinny kernel's multi-stream reads beat
  // sgemv's single stream, 1.15-1.7x on the 622 MB lm_head (bench: "decode product ...,
  // 1 row"); without it, sgemv (sgemm with M = 1 would pack the weight).
  if (rows == 1 && !(skinny_matmul_uses_avx512() && skinny_matmul_applies(x2d, w)))
    return at::mv(w, x2d[0]).view(shape);
  // A few rows (decode at batch > 1): the skinny kernel reads each weight once for all
  // rows, ~3x faster than sgemm, which packs the whole weight on every call.
  if (skinny_matmul_applies(x2d, w)) return skinny_matmul(x2d, w).view(shape);  // [M, out] -> [..., out]
  return at::matmul(x, w.t());  // [..., out] = x [..., in] · Wᵀ [in, out]
}

at::Tensor linear(const at::Tensor& x, const Linear& l, const ForwardOptions& opt) {
  return add_lora(matmul_wt(x, l.weight), x, l, opt);
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
