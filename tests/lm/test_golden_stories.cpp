// stories260K (a real pretrained tiny Llama) in HF layout against llama2.c's run.c outputs.
#include <gtest/gtest.h>

#include "lm/generate.h"
#include "lm/model.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

TEST(StoriesGolden, LogitsMatchRunC) {
  std::string dir = fixture("stories260K");
  PS_REQUIRE_FIXTURE(dir);
  Model m = Model::load(dir + "/hf");
  EXPECT_EQ(m.config().arch, Architecture::Llama);
  auto g = read_json(dir + "/golden_logits_once_upon_a_time.json");
  std::vector<int64_t> tokens = ids_of(g["tokens"]);
  at::Tensor want = tensor_of(g["logits"]);  // [32, 512]
  at::NoGradGuard ng;
  at::Tensor got = m.forward(row_ids(tokens), row_positions(tokens.size())).squeeze(0);
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_LT((got - want).abs().max().item<float>(), 1e-4);

  // Token by token through the KV cache, as run.c computes them.
  KVCache cache = m.make_cache(1, tokens.size());
  float worst = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    at::Tensor step = m.forward(row_ids({tokens[i]}), at::full({1, 1}, (int64_t)i, at::kLong), &cache).view({-1});
    worst = std::max(worst, (step - want[i]).abs().max().item<float>());
  }
  EXPECT_LT(worst, 1e-4);
}

TEST(StoriesGolden, GreedyRunsReproduceRunC) {
  std::string dir = fixture("stories260K");
  PS_REQUIRE_FIXTURE(dir);
  Model m = Model::load(dir + "/hf");
  auto records = read_jsonl(dir + "/golden_greedy.jsonl");
  ASSERT_EQ(records.size(), 10u);
  int exact = 0;
  for (const auto& r : records) {
    std::vector<int64_t> want = ids_of(r["generated_ids"]);
    const bool stopped = r.value("stopped_on_bos", false);
    GenerationConfig cfg;
    cfg.max_new_tokens = static_cast<int64_t>(want.size()) + (stopped ? 1 : 0);
    cfg.stop_ids = {1};  // run.c stops when it samples BOS
    auto out = generate(m, {ids_of(r["prompt_ids"])}, cfg);
    std::vector<int64_t> got = out[0].ids;
    if (stopped) {
      ASSERT_EQ(out[0].finish_reason, "stop_id") << r["name"];
      got.pop_back();
    }
    EXPECT_EQ(got, want) << r["name"];
    exact += got == want;
    EXPECT_EQ(out[0].logprobs.size(), out[0].ids.size());
  }
  EXPECT_EQ(exact, 10);
}
