// Tiny random Qwen3 checkpoints (tied and untied) against Hugging Face's own Qwen3 code.
#include <gtest/gtest.h>

#include "lm/generate.h"
#include "lm/model.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;

namespace {

float max_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<float>(); }

class Qwen3Golden : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fixture("tiny-qwen3");
    if (dir_.empty()) GTEST_SKIP() << "fixtures not found";
    model_ = std::make_unique<Model>(Model::load(dir_ + "/" + GetParam()));
  }
  std::string dir_;
  std::unique_ptr<Model> model_;
  at::NoGradGuard no_grad_;
};

}  // namespace

TEST_P(Qwen3Golden, ConfigIsQwen3WithDecoupledHeadDim) {
  const auto& c = model_->config();
  EXPECT_EQ(c.arch, Architecture::Qwen3);
  EXPECT_EQ(c.head_dim, 32);
  EXPECT_NE(c.head_dim, c.hidden_size / c.num_heads);
  EXPECT_EQ(c.tie_word_embeddings, GetParam() == "tied");
}

TEST_P(Qwen3Golden, FullLogits) {
  auto g = read_json(dir_ + "/golden_logits_full.json")[GetParam()];
  for (const char* name : {"len1", "len5"}) {
    std::vector<int64_t> ids = ids_of(g[name]["prompt_ids"]);
    at::Tensor got = model_->forward(row_ids(ids), row_positions(ids.size())).squeeze(0);
    EXPECT_LT(max_diff(got, tensor_of(g[name]["logits"])), 1e-4) << name;
  }
}

TEST_P(Qwen3Golden, HiddenStates) {
  auto g = read_json(dir_ + "/golden_hidden_states.json")[GetParam()];
  std::vector<int64_t> ids = ids_of(g["prompt_ids"]);
  std::vector<at::Tensor> trace;
  ForwardOptions opt;
  opt.trace = &trace;
  model_->forward(row_ids(ids), row_positions(ids.size()), nullptr, {}, opt);
  const int64_t n_layers = model_->config().num_layers;
  ASSERT_EQ(trace.size(), static_cast<size_t>(n_layers + 2));
  EXPECT_LT(max_diff(trace[0].squeeze(0), tensor_of(g["embeddings"])), 1e-5);
  for (int64_t l = 0; l < n_layers; ++l)
    EXPECT_LT(max_diff(trace[l + 1].squeeze(0), tensor_of(g["layer_outputs"][l])), 1e-4) << "layer " << l;
  EXPECT_LT(max_diff(trace.back().squeeze(0), tensor_of(g["final_norm"])), 1e-4);
}

TEST_P(Qwen3Golden, StepLogitsThroughKVCache) {
  auto g = read_json(dir_ + "/golden_step_logits.json")[GetParam()];
  std::vector<int64_t> ids = ids_of(g["prompt_ids"]);
  std::vector<int64_t> gen = ids_of(g["generated_ids"]);
  at::Tensor want = tensor_of(g["step_logits"]);  // [24, V]
  KVCache cache = model_->make_cache(1, ids.size() + gen.size());
  at::Tensor logits = model_->forward(row_ids(ids), row_positions(ids.size()), &cache);
  int64_t pos = ids.size();
  for (size_t t = 0; t < gen.size(); ++t) {
    at::Tensor last = logits.select(1, logits.size(1) - 1).view({-1});
    EXPECT_LT(max_diff(last, want[t]), 1e-4) << "step " << t;
    EXPECT_EQ(last.argmax().item<int64_t>(), gen[t]) << "step " << t;
    logits = model_->forward(row_ids({gen[t]}), at::full({1, 1}, pos++, at::kLong), &cache);
  }
}

TEST_P(Qwen3Golden, LeftPaddedBatch) {
  auto g = read_json(dir_ + "/golden_batched.json")[GetParam()];
  at::Tensor ids = at::tensor(g["input_ids"].get<std::vector<std::vector<int64_t>>>()[0], at::kLong);
  std::vector<std::vector<int64_t>> rows = g["input_ids"].get<std::vector<std::vector<int64_t>>>();
  std::vector<std::vector<int64_t>> mask = g["attention_mask"].get<std::vector<std::vector<int64_t>>>();
  std::vector<std::vector<int64_t>> pos = g["position_ids"].get<std::vector<std::vector<int64_t>>>();
  auto to2d = [](const std::vector<std::vector<int64_t>>& v) {
    std::vector<at::Tensor> r;
    for (const auto& x : v) r.push_back(at::tensor(x, at::kLong));
    return at::stack(r);
  };
  at::Tensor logits = model_->forward(to2d(rows), to2d(pos), nullptr, to2d(mask));  // [2, 12, V]
  for (int r = 0; r < 2; ++r) {
    int64_t start = g["nonpad_start"][r].get<int64_t>();
    at::Tensor want = tensor_of(g["logits_nonpad"][r]);
    at::Tensor got = logits[r].narrow(0, start, want.size(0));
    EXPECT_LT(max_diff(got, want), 1e-4) << "row " << r;
  }
  // The same batch through the KV cache (prefill) must agree too.
  KVCache cache = model_->make_cache(2, 12);
  at::Tensor cached = model_->forward(to2d(rows), to2d(pos), &cache, to2d(mask));
  for (int r = 0; r < 2; ++r) {
    int64_t start = g["nonpad_start"][r].get<int64_t>();
    at::Tensor want = tensor_of(g["logits_nonpad"][r]);
    EXPECT_LT(max_diff(cached[r].narrow(0, start, want.size(0)), want), 1e-4) << "cached row " << r;
  }
}

TEST_P(Qwen3Golden, GreedyRunsExact) {
  int runs = 0, exact = 0;
  for (const auto& r : read_jsonl(dir_ + "/golden_greedy.jsonl")) {
    if (r["model"] != GetParam()) continue;
    GenerationConfig cfg;
    cfg.max_new_tokens = r["max_new_tokens"].get<int64_t>();
    auto out = generate(*model_, {ids_of(r["prompt_ids"])}, cfg);
    ++runs;
    exact += out[0].ids == ids_of(r["generated_ids"]);
    EXPECT_EQ(out[0].ids, ids_of(r["generated_ids"])) << r["name"];
    EXPECT_EQ(out[0].finish_reason, "length");
  }
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(exact, 4);
}

TEST_P(Qwen3Golden, BatchedGreedyEqualsSingleRuns) {
  // All four prompts of different lengths in one left-padded batch give the golden ids.
  std::vector<std::vector<int64_t>> prompts, want;
  int64_t max_new = 0;
  for (const auto& r : read_jsonl(dir_ + "/golden_greedy.jsonl")) {
    if (r["model"] != GetParam()) continue;
    prompts.push_back(ids_of(r["prompt_ids"]));
    want.push_back(ids_of(r["generated_ids"]));
    max_new = r["max_new_tokens"].get<int64_t>();
  }
  GenerationConfig cfg;
  cfg.max_new_tokens = max_new;
  auto out = generate(*model_, prompts, cfg);
  ASSERT_EQ(out.size(), prompts.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].ids, want[i]) << "prompt " << i;
}

INSTANTIATE_TEST_SUITE_P(TiedAndUntied, Qwen3Golden, ::testing::Values("tied", "untied"));
