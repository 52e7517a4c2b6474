#include "lm/rmsnorm.h"

namespace ps::lm {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  at::Tensor x32 = x.to(at::kFloat);
  at::Tensor inv_rms = at::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);  // [..., 1]
  return weight * (x32 * inv_rms).to(x.scalar_type());
}

}  // namespace ps::lm
