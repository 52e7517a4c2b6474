// Generation: sampling controls, seeds, stops and log-probs, on the tiny Qwen3 fixture.
#include <gtest/gtest.h>

#include "common/error.h"
#include "lm/generate.h"
#include "lm/model.h"
#include "lm/sampler.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

namespace {

class Generate : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixture("tiny-qwen3");
    if (dir_.empty()) GTEST_SKIP() << "fixtures not found";
    model_ = std::make_unique<Model>(Model::load(dir_ + "/untied"));
  }
  std::vector<std::vector<int64_t>> prompts() const {
    return {{383}, {0, 1, 382, 191, 383}, {348, 234, 135, 383, 37, 230, 174, 370, 123, 75}};
  }
  std::string dir_;
  std::unique_ptr<Model> model_;
};

}  // namespace

TEST_F(Generate, GreedyLogprobsMatchGoldenStepLogits) {
  auto g = read_json(dir_ + "/golden_step_logits.json")["untied"];
  GenerationConfig cfg;
  cfg.max_new_tokens = 24;
  auto out = generate(*model_, {ids_of(g["prompt_ids"])}, cfg);
  at::Tensor want = at::log_softmax(tensor_of(g["step_logits"]), -1);  // [24, V]
  ASSERT_EQ(out[0].logprobs.size(), 24u);
  for (int t = 0; t < 24; ++t) EXPECT_NEAR(out[0].logprobs[t], want[t][out[0].ids[t]].item<float>(), 1e-4) << t;
  EXPECT_EQ(out[0].prompt_tokens, 5);
  EXPECT_EQ(out[0].generated_tokens, 24);
}

TEST_F(Generate, SeededSamplingIsReproducible) {
  GenerationConfig cfg;
  cfg.max_new_tokens = 20;
  cfg.temperature = 1.0;
  cfg.seed = 7;
  auto a = generate(*model_, prompts(), cfg);
  auto b = generate(*model_, prompts(), cfg);
  cfg.seed = 8;
  auto c = generate(*model_, prompts(), cfg);
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].ids, b[i].ids);
    EXPECT_EQ(a[i].logprobs, b[i].logprobs);
    differ += a[i].ids != c[i].ids;
  }
  EXPECT_GT(differ, 0);
}

TEST_F(Generate, TopKOneAndTinyTopPAreGreedy) {
  GenerationConfig greedy;
  greedy.max_new_tokens = 16;
  auto want = generate(*model_, prompts(), greedy);
  GenerationConfig k1 = greedy;
  k1.temperature = 1.3;
  k1.top_k = 1;
  GenerationConfig p0 = greedy;
  p0.temperature = 0.7;
  p0.top_p = 1e-6;
  p0.seed = 3;
  auto a = generate(*model_, prompts(), k1), b = generate(*model_, prompts(), p0);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(a[i].ids, want[i].ids);
    EXPECT_EQ(b[i].ids, want[i].ids);
  }
}

TEST(Sampler, TopKAndTopPRestrictTheChoices) {
  // logits favour 0 > 1 > 2 > 3 with probabilities ≈ 0.64, 0.24, 0.09, 0.03
  at::Tensor logits = at::tensor(std::vector<float>{3, 2, 1, 0}).view({1, 4}).repeat({2000, 1});
  Sampler k2({1.0, 1.0, 2}, 1);
  at::Tensor t = k2.sample(logits).first;
  EXPECT_TRUE(t.le(1).all().item<bool>());
  EXPECT_TRUE(t.eq(1).any().item<bool>());
  Sampler p({1.0, 0.8, 0}, 1);  // 0.64 < 0.8 <= 0.88: tokens 0 and 1
  t = p.sample(logits).first;
  EXPECT_TRUE(t.le(1).all().item<bool>());
  EXPECT_TRUE(t.eq(1).any().item<bool>());
  Sampler all({1.0, 1.0, 0}, 1);
  auto [tok, lp] = all.sample(logits);
  EXPECT_TRUE(tok.eq(3).any().item<bool>());
  // Frequencies follow softmax(logits): token 0 about 64 %.
  EXPECT_NEAR(tok.eq(0).to(at::kFloat).mean().item<float>(), 0.6439, 0.05);
  EXPECT_NEAR(lp[0].item<float>(), at::log_softmax(logits[0], -1)[tok[0].item<int64_t>()].item<float>(), 1e-6);
  EXPECT_THROW(Sampler({1.0, 0.0, 0}, 1), ps::Error);
}

TEST_F(Generate, StopIdsEndRowsIndependently) {
  GenerationConfig greedy;
  greedy.max_new_tokens = 24;
  auto full = generate(*model_, prompts(), greedy);
  // Stop on the 4th token of row 1; other rows run on unless they meet it too.
  GenerationConfig cfg = greedy;
  const int64_t stop = full[1].ids[3];
  cfg.stop_ids = {stop};
  auto out = generate(*model_, prompts(), cfg);
  for (size_t i = 0; i < out.size(); ++i) {
    auto it = std::find(full[i].ids.begin(), full[i].ids.end(), stop);
    std::vector<int64_t> want(full[i].ids.begin(), it == full[i].ids.end() ? it : it + 1);
    EXPECT_EQ(out[i].ids, want) << i;
    EXPECT_EQ(out[i].finish_reason, it == full[i].ids.end() ? "length" : "stop_id") << i;
  }
  EXPECT_LE(out[1].ids.size(), 4u);
}

TEST_F(Generate, StopStringsCutTheText) {
  Decoder decode = [](const std::vector<int64_t>& ids) {
    std::string s;
    for (int64_t id : ids) s += "<" + std::to_string(id) + ">";
    return s;
  };
  GenerationConfig greedy;
  greedy.max_new_tokens = 24;
  auto full = generate(*model_, {prompts()[0]}, greedy, decode);
  EXPECT_EQ(full[0].text, decode(full[0].ids));
  GenerationConfig cfg = greedy;
  cfg.stop_strings = {"<" + std::to_string(full[0].ids[5]) + ">"};
  auto out = generate(*model_, {prompts()[0]}, cfg, decode);
  EXPECT_EQ(out[0].finish_reason, "stop_string");
  const size_t first = std::find(full[0].ids.begin(), full[0].ids.end(), full[0].ids[5]) - full[0].ids.begin();
  EXPECT_EQ(out[0].ids.size(), first + 1);
  EXPECT_EQ(out[0].text, decode(std::vector<int64_t>(full[0].ids.begin(), full[0].ids.begin() + first)));
  EXPECT_THROW(generate(*model_, {prompts()[0]}, cfg), ps::Error);  // stop strings need a decoder
}

TEST_F(Generate, RejectsBadInput) {
  GenerationConfig cfg;
  EXPECT_THROW(generate(*model_, {{}}, cfg), ps::Error);
  EXPECT_THROW(generate(*model_, {{5, 384}}, cfg), ps::Error);  // vocab is 384
  cfg.max_new_tokens = 300;                                     // max_position_embeddings 256
  EXPECT_THROW(generate(*model_, {{5}}, cfg), ps::Error);
}

TEST_F(Generate, StatsCountTokens) {
  GenerationConfig cfg;
  cfg.max_new_tokens = 8;
  GenerationStats s;
  auto out = generate(*model_, prompts(), cfg, {}, &s);
  EXPECT_EQ(s.batch, 3);
  EXPECT_EQ(s.prefill_tokens, 1 + 5 + 10);
  EXPECT_EQ(s.generated_tokens, 24);
  EXPECT_EQ(s.decode_steps, 7);  // the first token comes from the prefill
  EXPECT_GT(s.decode_tokens_per_second(), 0);
}
