// Lower-precision weights: the same model in bfloat16 stays close to float32 (float16 matrix
// products exist on CUDA only)
// (RMSNorm, RoPE tables and softmax run in float32 whatever the model dtype).
#include <gtest/gtest.h>

#include "lm/generate.h"
#include "lm/model.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

TEST(Dtypes, Bfloat16FollowsFloat32) {
  std::string dir = fixture("tiny-qwen3");
  PS_REQUIRE_FIXTURE(dir);
  Model f32 = Model::load(dir + "/untied");
  at::NoGradGuard ng;
  std::vector<int64_t> ids = {348, 234, 135, 383, 37, 230, 174, 370, 123, 75, 120, 382};
  at::Tensor want = f32.forward(row_ids(ids), row_positions(ids.size()));
  const float scale = want.abs().max().item<float>();
  for (at::ScalarType t : {at::kBFloat16}) {
    Model low = Model::load(dir + "/untied", at::kCPU, t);
    EXPECT_EQ(low.weights().embed_tokens.scalar_type(), t);
    at::Tensor got = low.forward(row_ids(ids), row_positions(ids.size()));
    EXPECT_EQ(got.scalar_type(), t);
    // bf16 keeps 8 bits of mantissa: a few percent of the logit range after 2 layers.
    EXPECT_LT((got.to(at::kFloat) - want).abs().max().item<float>(), 0.08 * scale) << c10::toString(t);
    // The KV-cache path runs in the same dtype.
    GenerationConfig cfg;
    cfg.max_new_tokens = 4;
    auto out = generate(low, {ids, {5, 6, 7}}, cfg);  // left padding: masked scores must stay finite
    for (const auto& g : out) {
      EXPECT_EQ(g.ids.size(), 4u);
      for (float lp : g.logprobs) EXPECT_TRUE(std::isfinite(lp) && lp <= 0);
    }
  }
}
