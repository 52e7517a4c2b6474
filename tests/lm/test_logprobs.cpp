// Teacher-forced log-probs (lm/logprobs.h) against Hugging Face's golden logits, the chunked
// selective log-softmax's custom backward against autograd through the plain formula, and the
// model's full fine-tuning hooks (set_trainable, refresh_derived, clone).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "lm/config.h"
#include "lm/logprobs.h"
#include "lm/model.h"
#include "lm_test_util.h"

namespace ps::lm {
namespace {

using namespace ps::lm::test;

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

class LogprobsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LogprobsGolden, TeacherForcedEqualsLogSoftmaxOfGoldenLogits) {
  const std::string root = fixture("tiny-qwen3");
  PS_REQUIRE_FIXTURE(root);
  Model m = Model::load(root + "/" + GetParam());
  auto g = read_json(root + "/golden_logits_full.json")[GetParam()];
  int checked = 0;
  for (auto it = g.begin(); it != g.end(); ++it) {
    const std::vector<int64_t> ids = ids_of(it.value()["prompt_ids"]);
    const int64_t L = static_cast<int64_t>(ids.size());
    if (L < 2) continue;  // nothing to score
    const at::Tensor logits = tensor_of(it.value()["logits"]);  // [L, V], HF's
    ASSERT_EQ(logits.size(0), L);
    const at::Tensor tgt = at::tensor(std::vector<int64_t>(ids.begin() + 1, ids.end()), at::kLong);
    const at::Tensor want =
        at::log_softmax(logits.to(at::kDouble).narrow(0, 0, L - 1), -1).gather(1, tgt.view({L - 1, 1})).view({L - 1});
    const at::Tensor mask = at::ones({1, L}, at::kLong);
    for (int64_t chunk : {int64_t(1), int64_t(3), int64_t(1024)}) {
      LogprobOptions opt;
      opt.chunk_rows = chunk;
      auto got = token_logprobs(m, row_ids(ids), mask, row_positions(L), L - 1, opt);
      ASSERT_EQ(got.logprobs.sizes(), (at::IntArrayRef{1, L - 1}));
      EXPECT_LT(max_diff(got.logprobs.view({L - 1}), want), 1e-4) << it.key() << " chunk " << chunk;
      // n_keep: the last positions only.
      auto last2 = token_logprobs(m, row_ids(ids), mask, row_positions(L), 2, opt);
      EXPECT_LT(max_diff(last2.logprobs.view({2}), want.narrow(0, L - 3, 2)), 1e-4) << it.key();
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(TinyQwen3, LogprobsGolden, ::testing::Values("untied", "tied"));

TEST(Logprobs, LeftPaddedRowsScoreLikeUnpaddedOnes) {
  const std::string root = fixture("tiny-qwen3");
  PS_REQUIRE_FIXTURE(root);
  Model m = Model::load(root + "/untied");
  const std::vector<int64_t> a = {5, 17, 33, 2, 9, 41}, b = {7, 3, 12};
  // Row b left-padded to 6 with id 0.
  at::Tensor ids = at::tensor(std::vector<int64_t>{5, 17, 33, 2, 9, 41, 0, 0, 0, 7, 3, 12}, at::kLong).view({2, 6});
  at::Tensor mask = at::tensor(std::vector<int64_t>{1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, at::kLong).view({2, 6});
  auto both = token_logprobs(m, ids, mask, positions_from_mask(mask), 2);
  auto alone = token_logprobs(m, row_ids(b), at::ones({1, 3}, at::kLong), row_positions(3), 2);
  EXPECT_LT(max_diff(both.logprobs[1], alone.logprobs[0]), 1e-5);
}

// The plain formula, differentiated by autograd.
at::Tensor reference(const at::Tensor& h, const at::Tensor& w, const at::Tensor& t, double T) {
  return at::log_softmax(at::matmul(h, w.t()) / T, -1).gather(1, t.view({-1, 1})).view({-1});
}

TEST(SelectiveLogSoftmax, CustomBackwardEqualsAutograd) {
  at::manual_seed(3);
  const double T = 0.7;
  for (auto [N, H, V] : {std::tuple<int64_t, int64_t, int64_t>{1, 4, 7}, {13, 8, 37}, {40, 16, 101}}) {
    const at::Tensor h0 = at::randn({N, H}), w0 = at::randn({V, H}) * 0.5;
    const at::Tensor tgt = at::randint(V, {N}, at::kLong);
    const at::Tensor coef = at::randn({N});  // an arbitrary upstream gradient
    at::Tensor h1 = h0.clone().requires_grad_(true), w1 = w0.clone().requires_grad_(true);
    at::Tensor want = reference(h1, w1, tgt, T);
    (want * coef).sum().backward();
    const at::Tensor logits = at::matmul(h0, w0.t()) / T;
    const at::Tensor p = at::softmax(logits, -1);
    const at::Tensor want_entropy = -(p * at::log_softmax(logits, -1)).sum(-1);
    const at::Tensor want_argmax = logits.argmax(-1);
    for (int64_t chunk : {int64_t(1), int64_t(2), int64_t(5), N, N + 7}) {
      SCOPED_TRACE("N " + std::to_string(N) + " chunk " + std::to_string(chunk));
      at::Tensor h2 = h0.clone().requires_grad_(true), w2 = w0.clone().requires_grad_(true);
      auto got = selective_log_softmax(h2, w2, tgt, T, chunk, true, true);
      ASSERT_EQ(got.logprobs.sizes(), (at::IntArrayRef{N}));
      EXPECT_EQ(got.logprobs.scalar_type(), at::kFloat);
      EXPECT_LT(max_diff(got.logprobs, want), 1e-5);
      (got.logprobs * coef).sum().backward();
      ASSERT_TRUE(h2.grad().defined());
      ASSERT_TRUE(w2.grad().defined());
      EXPECT_LT(max_diff(h2.grad(), h1.grad()), 1e-5);
      EXPECT_LT(max_diff(w2.grad(), w1.grad()), 1e-5);
      EXPECT_GT(w2.grad().abs().max().item<double>(), 0.0);
      EXPECT_LT(max_diff(got.entropy, want_entropy), 1e-5);
      EXPECT_FALSE(got.entropy.requires_grad());
      EXPECT_TRUE(at::equal(got.argmax, want_argmax));
      // A frozen weight: only the hidden states get a gradient, and the same one.
      at::Tensor h3 = h0.clone().requires_grad_(true);
      auto got3 = selective_log_softmax(h3, w0, tgt, T, chunk);
      EXPECT_FALSE(got3.entropy.defined());
      EXPECT_FALSE(got3.argmax.defined());
      (got3.logprobs * coef).sum().backward();
      EXPECT_LT(max_diff(h3.grad(), h1.grad()), 1e-5);
    }
  }
}

ModelConfig small_qwen3() {
  ModelConfig c = tiny_qwen3_config(96);
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_layers = 2;
  c.num_heads = 2;
  c.num_kv_heads = 1;
  c.head_dim = 16;
  c.max_position_embeddings = 64;
  return c;
}

at::Tensor sample_ids() { return at::tensor(std::vector<int64_t>{3, 17, 42, 8, 91, 5, 60, 11}, at::kLong).view({1, 8}); }

TEST(FullFineTuning, GradientsReachEveryKindOfWeight) {
  const ModelConfig c = small_qwen3();
  ASSERT_TRUE(c.has_qk_norm());
  Model m = Model::init_random(c, 5);
  auto params = m.set_trainable(true);
  // Norm weights start at 1 (HF init), where a gradient could vanish by symmetry: perturb them.
  {
    at::NoGradGuard ng;
    for (auto& [n, t] : params)
      if (n.find("norm") != std::string::npos) t.add_(at::randn(t.sizes()) * 0.1);
  }
  const at::Tensor ids = sample_ids();
  auto lp = token_logprobs(m, ids, at::ones_like(ids), row_positions(8), 7);
  EXPECT_TRUE(lp.logprobs.requires_grad());
  (-lp.logprobs.mean()).backward();
  std::map<std::string, double> norms;
  for (auto& [n, t] : params) {
    ASSERT_TRUE(t.grad().defined()) << n << " has no gradient";
    norms[n] = t.grad().norm().item<double>();
  }
  for (const char* n : {"model.embed_tokens.weight", "model.layers.0.self_attn.qkv", "model.layers.0.self_attn.q_norm.weight",
                        "model.layers.0.self_attn.k_norm.weight", "model.layers.1.self_attn.q_norm.weight",
                        "model.layers.1.self_attn.k_norm.weight", "model.layers.1.mlp.gate_up",
                        "model.layers.1.self_attn.o_proj.weight", "model.norm.weight"}) {
    ASSERT_TRUE(norms.count(n)) << n << " is not trainable";
    EXPECT_GT(norms[n], 0.0) << n;
  }
}

TEST(FullFineTuning, RefreshDerivedAfterAManualWeightChange) {
  const ModelConfig c = small_qwen3();
  Model m = Model::init_random(c, 6);
  const at::Tensor ids = sample_ids(), pos = row_positions(8);
  auto params = m.set_trainable(true);
  {
    at::NoGradGuard ng;
    for (auto& [n, t] : params)
      if (n.find("q_norm") != std::string::npos || n.find("k_norm") != std::string::npos) t.mul_(1.7).add_(0.2);
  }
  m.set_trainable(false);
  m.refresh_derived();
  // The reference: the changed weights written and read back (derived tensors built at load).
  const std::string dir = temp_dir("refresh");
  m.save(dir);
  Model fresh = Model::load(dir);
  at::Tensor want, got;
  {
    c10::InferenceMode im;
    want = fresh.forward(ids, pos);
    got = m.forward(ids, pos);
  }
  EXPECT_LT(max_diff(got, want), 1e-5);
  // And a stale derived tensor would be visible: change q_norm again without refreshing.
  {
    at::NoGradGuard ng;
    m.weights().layers[0].self_attn.q_norm.mul_(3.0);
  }
  m.refresh_derived();
  m.save(dir);
  Model fresh2 = Model::load(dir);
  {
    c10::InferenceMode im;
    EXPECT_LT(max_diff(m.forward(ids, pos), fresh2.forward(ids, pos)), 1e-5);
    EXPECT_GT(max_diff(fresh2.forward(ids, pos), want), 1e-4) << "the change had no effect: the test cannot fail";
  }
  std::filesystem::remove_all(dir);
}

TEST(FullFineTuning, CloneIsDeep) {
  Model m = Model::init_random(small_qwen3(), 7);
  const at::Tensor ids = sample_ids(), pos = row_positions(8);
  at::Tensor before;
  {
    c10::InferenceMode im;
    before = m.forward(ids, pos).clone();
  }
  Model c = m.clone();
  {
    at::NoGradGuard ng;
    c.weights().embed_tokens.add_(0.5);
    c.weights().layers[0].self_attn.qkv.mul_(-1.0);
    c.weights().layers[1].gate_up.add_(0.1);
    c.weights().layers[0].self_attn.q_norm.add_(1.0);
    c.weights().norm.mul_(2.0);
  }
  c.refresh_derived();
  {
    c10::InferenceMode im;
    EXPECT_EQ(max_diff(m.forward(ids, pos), before), 0.0) << "changing the clone changed the original";
    EXPECT_GT(max_diff(c.forward(ids, pos), before), 1e-3) << "the clone's change had no effect";
  }
  // No shared storage with the original, and no autograd history.
  auto a = m.named_weights(), b = c.named_weights();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NE(a[i].second.data_ptr(), b[i].second.data_ptr()) << a[i].first;
    EXPECT_FALSE(b[i].second.requires_grad()) << a[i].first;
  }
  // A clone of a trainable model is independent of its training.
  auto params = m.set_trainable(true);
  Model frozen = m.clone();
  {
    at::NoGradGuard ng;
    for (auto& [n, t] : params) t.add_(0.01);
  }
  m.refresh_derived();
  {
    c10::InferenceMode im;
    EXPECT_EQ(max_diff(frozen.forward(ids, pos), before), 0.0);
  }
}

}  // namespace
}  // namespace ps::lm
