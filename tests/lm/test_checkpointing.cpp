// Gradient checkpointing recomputes each layer in backward: the loss and every gradient must be
// those of the plain pass (LoRA with dropout included: the recomputation replays the same masks),
// for LoRA and for full fine-tuning.
#include <ATen/Context.h>
#include <gtest/gtest.h>

#include "lm/logprobs.h"
#include "lm/lora.h"
#include "lm/model.h"

namespace {

using namespace ps::lm;

std::vector<at::Tensor> grads_of(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> g;
  for (const auto& p : params) g.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
  return g;
}

double loss_and_grads(const Model& m, const std::vector<at::Tensor>& params, bool checkpointing) {
  for (auto p : params)
    if (p.grad().defined()) p.mutable_grad().zero_();
  at::manual_seed(123);
  at::Tensor ids = at::randint(0, 64, {2, 12}, at::kLong);
  at::Tensor mask = at::ones({2, 12}, at::kLong);
  mask[1][0] = 0;  // one left-padded row
  LogprobOptions o;
  o.training = true;
  o.gradient_checkpointing = checkpointing;
  auto lp = token_logprobs(m, ids, mask, positions_from_mask(mask), 11, o).logprobs;
  at::Tensor loss = -lp.mean();
  loss.backward();
  return loss.item<double>();
}

TEST(GradientCheckpointing, LoraWithDropoutMatchesThePlainPass) {
  ModelConfig c = tiny_qwen3_config(64);
  c.num_layers = 2;
  Model m = Model::init_random(c, 5);
  LoraConfig lc;
  lc.r = 4;
  lc.dropout = 0.2;
  auto a = LoraAdapter::create(c, lc, 9);
  {  // B = 0 at init would make every A-gradient zero: give B values.
    at::NoGradGuard ng;
    for (auto& t : a->parameters())
      if (t.size(1) == 4) t.normal_(0, 0.05);
  }
  m.attach_adapter(a);
  auto params = a->parameters();
  const double plain = loss_and_grads(m, params, false);
  auto g_plain = grads_of(params);
  const double ckpt = loss_and_grads(m, params, true);
  auto g_ckpt = grads_of(params);
  // The recomputed forward may sum in another order (threads): equal to float precision.
  EXPECT_NEAR(plain, ckpt, 1e-6 * std::abs(plain));
  double max_abs = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_TRUE(at::allclose(g_plain[i], g_ckpt[i], 1e-5, 1e-7)) << "parameter " << i;
    max_abs = std::max(max_abs, g_plain[i].abs().max().item<double>());
  }
  EXPECT_GT(max_abs, 0.0);  // the gradients are not trivially zero
}

TEST(GradientCheckpointing, FullFineTuningMatchesThePlainPass) {
  ModelConfig c = tiny_qwen3_config(64);
  c.num_layers = 2;
  Model m = Model::init_random(c, 6);
  std::vector<at::Tensor> params;
  for (auto& [n, t] : m.set_trainable(true)) params.push_back(t);
  const double plain = loss_and_grads(m, params, false);
  auto g_plain = grads_of(params);
  const double ckpt = loss_and_grads(m, params, true);
  auto g_ckpt = grads_of(params);
  EXPECT_NEAR(plain, ckpt, 1e-12);
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(at::allclose(g_plain[i], g_ckpt[i], 1e-5, 1e-6))
        << "parameter " << i << " max |diff| " << (g_plain[i] - g_ckpt[i]).abs().max().item<double>() << " max |g| "
        << g_plain[i].abs().max().item<double>() << " ckpt max |g| " << g_ckpt[i].abs().max().item<double>();
}

}  // namespace
