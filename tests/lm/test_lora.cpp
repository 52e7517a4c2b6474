// LoRA: PEFT on-disk format, enable/disable, merge, gradients.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

namespace {

ModelConfig small_config() {
  ModelConfig c = tiny_qwen3_config(96);
  c.num_layers = 2;
  return c;
}

// Gives every B a non-zero value so the adapter changes the output.
void randomise_b(LoraAdapter& a, uint64_t seed) {
  at::NoGradGuard ng;
  at::Generator g = at::detail::createCPUGenerator(seed);
  for (int64_t n = 0; n < a.num_layers(); ++n)
    for (const auto& t : a.config().targets) a.get(n, t)->B.normal_(0.0, 0.05, g);
}

at::Tensor sample_ids() { return at::tensor(std::vector<int64_t>{3, 17, 42, 5, 88, 1, 60}, at::kLong).view({1, 7}); }
at::Tensor sample_pos() { return at::arange(7, at::kLong).view({1, 7}); }

}  // namespace

TEST(Lora, FreshAdapterIsANoOpAndKaimingInitialised) {
  Model m = Model::init_random(small_config(), 1);
  at::NoGradGuard ng;
  at::Tensor base = m.forward(sample_ids(), sample_pos());
  auto a = LoraAdapter::create(m.config(), LoraConfig{}, 11);
  m.attach_adapter(a);
  EXPECT_TRUE(at::equal(m.forward(sample_ids(), sample_pos()), base));  // B = 0
  const at::Tensor& A = a->get(0, "gate_proj")->A;                      // [r, hidden]
  EXPECT_EQ(A.sizes(), (at::IntArrayRef{8, 128}));
  const double bound = 1.0 / std::sqrt(128.0);
  EXPECT_LE(A.abs().max().item<double>(), bound);
  EXPECT_GT(A.abs().max().item<double>(), 0.9 * bound);
  EXPECT_EQ(a->get(1, "down_proj")->A.sizes(), (at::IntArrayRef{8, 384}));
  EXPECT_EQ(a->get(1, "down_proj")->B.sizes(), (at::IntArrayRef{128, 8}));
  EXPECT_EQ(a->get(0, "k_proj")->B.sizes(), (at::IntArrayRef{64, 8}));
  EXPECT_EQ(a->parameters().size(), 2u * 7 * 2);
}

TEST(Lora, EnableDisableAndMergeGiveConsistentLogits) {
  Model m = Model::init_random(small_config(), 2);
  at::NoGradGuard ng;
  at::Tensor base = m.forward(sample_ids(), sample_pos());
  LoraConfig lc;
  lc.r = 4;
  lc.alpha = 16;  // scaling 4
  auto a = LoraAdapter::create(m.config(), lc, 12);
  randomise_b(*a, 3);
  m.attach_adapter(a);
  at::Tensor adapted = m.forward(sample_ids(), sample_pos());
  EXPECT_GT((adapted - base).abs().max().item<float>(), 1e-3);  // the adapter matters

  ForwardOptions off;
  off.use_adapter = false;  // the reference policy
  EXPECT_TRUE(at::equal(m.forward(sample_ids(), sample_pos(), nullptr, {}, off), base));

  // y = W x + s·B A x by hand for one projection.
  at::Tensor x = at::randn({2, 128});
  const Linear& q = m.weights().layers[1].self_attn.q_proj;
  at::Tensor by_hand = x.matmul(q.weight.t()) + 4.0 * x.matmul(q.lora->A.t()).matmul(q.lora->B.t());
  EXPECT_LT((linear(x, q, ForwardOptions{}) - by_hand).abs().max().item<float>(), 1e-5);

  m.merge_adapter();
  EXPECT_EQ(m.adapter(), nullptr);
  at::Tensor merged = m.forward(sample_ids(), sample_pos());
  EXPECT_LT((merged - adapted).abs().max().item<float>(), 1e-5);
}

TEST(Lora, SavedAdapterReloadsBitIdenticallyInPeftLayout) {
  ModelConfig c = small_config();
  LoraConfig lc;
  lc.r = 4;
  lc.alpha = 8;
  lc.dropout = 0.05;
  lc.targets = {"v_proj", "q_proj", "down_proj"};  // any subset, any order
  auto a = LoraAdapter::create(c, lc, 21);
  randomise_b(*a, 22);
  std::string dir = temp_dir("lora_save");
  a->save(dir);

  auto cfg = read_json(dir + "/adapter_config.json");
  EXPECT_EQ(cfg["peft_type"], "LORA");
  EXPECT_EQ(cfg["task_type"], "CAUSAL_LM");
  EXPECT_EQ(cfg["r"], 4);
  EXPECT_EQ(cfg["lora_alpha"].get<double>(), 8.0);
  EXPECT_EQ(cfg["bias"], "none");
  SafetensorsFile f(dir + "/adapter_model.safetensors");
  EXPECT_EQ(f.entries().size(), 2u * 2 * 3);
  ASSERT_NE(f.find("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"), nullptr);
  ASSERT_NE(f.find("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"), nullptr);
  EXPECT_EQ(f.find("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")->shape, (std::vector<int64_t>{4, 128}));
  EXPECT_EQ(f.find("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight")->shape, (std::vector<int64_t>{64, 4}));
  EXPECT_EQ(f.find("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"), nullptr);

  auto r = LoraAdapter::load(dir, c);
  EXPECT_EQ(r->config().r, 4);
  EXPECT_DOUBLE_EQ(r->config().dropout, 0.05);
  EXPECT_DOUBLE_EQ(r->config().scaling(), 2.0);
  auto pa = a->named_parameters(), pr = r->named_parameters();
  ASSERT_EQ(pa.size(), pr.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].first, pr[i].first);
    EXPECT_TRUE(at::equal(pa[i].second, pr[i].second)) << pa[i].first;
  }
}

TEST(Lora, GradientsReachOnlyTheAdapter) {
  Model m = Model::init_random(small_config(), 4);
  auto a = LoraAdapter::create(m.config(), LoraConfig{}, 5);
  randomise_b(*a, 6);
  m.attach_adapter(a);
  at::Tensor logits = m.forward(sample_ids(), sample_pos());
  at::Tensor loss = at::cross_entropy_loss(logits.view({7, -1}), at::tensor(std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}, at::kLong));
  loss.backward();
  for (const auto& [name, w] : m.named_weights()) {
    EXPECT_FALSE(w.requires_grad()) << name;
    EXPECT_FALSE(w.grad().defined()) << name;
  }
  for (const auto& [name, p] : a->named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_GT(p.grad().abs().sum().item<float>(), 0) << name;
  }
}

TEST(Lora, DropoutOnlyInTraining) {
  Model m = Model::init_random(small_config(), 8);
  LoraConfig lc;
  lc.dropout = 0.5;
  auto a = LoraAdapter::create(m.config(), lc, 9);
  randomise_b(*a, 10);
  m.attach_adapter(a);
  at::NoGradGuard ng;
  ForwardOptions eval, train;
  train.training = true;
  at::Tensor e1 = m.forward(sample_ids(), sample_pos(), nullptr, {}, eval);
  EXPECT_TRUE(at::equal(e1, m.forward(sample_ids(), sample_pos(), nullptr, {}, eval)));
  EXPECT_FALSE(at::equal(e1, m.forward(sample_ids(), sample_pos(), nullptr, {}, train)));
}

TEST(Lora, LoadRejectsBadAdapters) {
  ModelConfig c = small_config();
  auto a = LoraAdapter::create(c, LoraConfig{}, 1);
  std::string dir = temp_dir("lora_bad");
  a->save(dir);
  auto expect_error = [&](const std::string& fragment) {
    try {
      LoraAdapter::load(dir, c);
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const ps::Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  // Wrong model: more layers than the adapter has.
  ModelConfig bigger = c;
  bigger.num_layers = 3;
  try {
    LoraAdapter::load(dir, bigger);
    ADD_FAILURE();
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing tensor 'base_model.model.model.layers.2."), std::string::npos) << e.what();
  }
  // An unexpected extra tensor.
  NamedTensors t = a->named_parameters();
  t.emplace_back("base_model.model.lm_head.lora_A.weight", at::zeros({8, 128}));
  save_safetensors(dir + "/adapter_model.safetensors", t);
  expect_error("unexpected tensor 'base_model.model.lm_head.lora_A.weight'");
  // A wrong shape.
  t = a->named_parameters();
  t[0].second = at::zeros({3, 128});
  save_safetensors(dir + "/adapter_model.safetensors", t);
  expect_error("wrong shape");
  // Unsupported options in the config.
  auto cfg = read_json(dir + "/adapter_config.json");
  cfg["use_dora"] = true;
  std::ofstream(dir + "/adapter_config.json") << cfg.dump();
  expect_error("use_dora");
  cfg["use_dora"] = false;
  cfg["target_modules"] = {"q_proj", "lm_head"};
  std::ofstream(dir + "/adapter_config.json") << cfg.dump();
  expect_error("lm_head");
  std::filesystem::remove(dir + "/adapter_config.json");
  expect_error("adapter_config.json");
}

TEST(Lora, AllLinearTargetsAndAttachChecksShapes) {
  ModelConfig c = small_config();
  auto a = LoraAdapter::create(c, LoraConfig{}, 1);
  std::string dir = temp_dir("lora_all");
  a->save(dir);
  auto cfg = read_json(dir + "/adapter_config.json");
  cfg["target_modules"] = "all-linear";
  std::ofstream(dir + "/adapter_config.json") << cfg.dump();
  EXPECT_EQ(LoraAdapter::load(dir, c)->config().targets.size(), 7u);

  ModelConfig other = c;
  other.hidden_size = 64;
  Model m = Model::init_random(other, 1);
  EXPECT_THROW(m.attach_adapter(a), ps::Error);
}
