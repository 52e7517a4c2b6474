// A model initialised from scratch is saved in HF layout and reloads bit for bit.
#include <filesystem>

#include <gtest/gtest.h>

#include "lm/model.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

TEST(ModelInit, SeededInitIsDeterministicAndReloadsBitIdentically) {
  ModelConfig c = tiny_qwen3_config(256);
  Model a = Model::init_random(c, 1234);
  Model b = Model::init_random(c, 1234);
  Model other = Model::init_random(c, 99);
  auto wa = a.named_weights(), wb = b.named_weights(), wo = other.named_weights();
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) EXPECT_TRUE(at::equal(wa[i].second, wb[i].second)) << wa[i].first;
  EXPECT_FALSE(at::equal(wa[0].second, wo[0].second));

  std::string dir = temp_dir("init");
  a.save(dir);
  EXPECT_TRUE(std::filesystem::exists(dir + "/config.json"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/model.safetensors.tmp"));
  Model r = Model::load(dir);
  EXPECT_EQ(r.config().num_layers, c.num_layers);
  EXPECT_EQ(r.config().head_dim, c.head_dim);
  EXPECT_TRUE(r.config().tie_word_embeddings);
  auto wr = r.named_weights();
  ASSERT_EQ(wr.size(), wa.size());
  int64_t params = 0;
  for (size_t i = 0; i < wa.size(); ++i) {
    EXPECT_EQ(wr[i].first, wa[i].first);
    EXPECT_TRUE(at::equal(wr[i].second, wa[i].second)) << wa[i].first;
    params += wa[i].second.numel();
  }
  EXPECT_EQ(params, c.num_parameters());

  at::NoGradGuard ng;
  at::Tensor ids = at::randint(0, 256, {2, 9}, at::kLong);
  at::Tensor pos = at::arange(9, at::kLong).repeat({2, 1});
  EXPECT_TRUE(at::equal(a.forward(ids, pos), r.forward(ids, pos)));
}

TEST(ModelInit, Qwen3_0_6BShapes) {
  ModelConfig c = qwen3_0_6b_config();
  // pipeline-facts C: ≈0.596 B parameters (0.440 B non-embedding + 0.156 B embedding)
  EXPECT_NEAR(c.num_parameters() / 1e9, 0.596, 0.001);
  EXPECT_EQ(c.q_size(), 2048);
}

TEST(ModelInit, UntiedSavesLmHead) {
  ModelConfig c = tiny_qwen3_config(64);
  c.tie_word_embeddings = false;
  c.num_layers = 1;
  Model a = Model::init_random(c, 5);
  std::string dir = temp_dir("untied");
  a.save(dir);
  SafetensorsFile f(dir + "/model.safetensors");
  EXPECT_NE(f.find("lm_head.weight"), nullptr);
  Model r = Model::load(dir);
  EXPECT_TRUE(at::equal(r.weights().lm_head.weight, a.weights().lm_head.weight));
  EXPECT_FALSE(at::equal(r.weights().lm_head.weight, r.weights().embed_tokens));
}
