#include "lm/checkpointing.h"

#include <memory>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

namespace ps::lm {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;
using LayerFn = std::function<at::Tensor(const at::Tensor&)>;

class CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
 public:
  // The block is held by a shared pointer in the context: it lives until backward has run.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, std::shared_ptr<LayerFn> fn) {
    at::Generator g = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(g.mutex());
      ctx->saved_data["rng"] = g.get_state();
    }
    ctx->saved_data["fn"] = reinterpret_cast<int64_t>(new std::shared_ptr<LayerFn>(fn));
    ctx->save_for_backward({x});
    at::NoGradGuard no_grad;
    return (*fn)(x);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_out) {
    auto* holder = reinterpret_cast<std::shared_ptr<LayerFn>*>(ctx->saved_data["fn"].toInt());
    std::shared_ptr<LayerFn> fn = *holder;
    delete holder;
    at::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    at::Generator g = at::detail::getDefaultCPUGenerator();
    at::Tensor rng_now;
    {
      std::lock_guard<std::mutex> lock(g.mutex());
      rng_now = g.get_state();
      g.set_state(ctx->saved_data["rng"].toTensor());
    }
    at::Tensor y;
    {
      at::AutoGradMode grad(true);
      y = (*fn)(x);
    }
    {
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_state(rng_now);
    }
    torch::autograd::backward({y}, {grad_out[0]});
    return {x.grad(), at::Tensor()};
  }
};

}  // namespace

at::Tensor checkpointed_layer(const LayerFn& fn, const at::Tensor& x) {
  // Autograd records the function only when an input requires grad; under LoRA the embeddings
  // do not, so the input is made a leaf that does (its gradient is simply not used).
  at::Tensor in = x.requires_grad() ? x : x.detach().requires_grad_(true);
  return CheckpointFunction::apply(in, std::make_shared<LayerFn>(fn));
}

}  // namespace ps::lm
