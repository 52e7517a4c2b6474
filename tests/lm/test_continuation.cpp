// SequenceBatch (generate.h): generation that continues from a kept, rolled-back KV cache.
// Each continuation is checked against lm::generate from scratch on the same token sequence (ids
// equal, log-probs within 1e-4), and the model's forward counter proves the kept prefix is not passed
// through the model again.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "lm/config.h"
#include "lm/generate.h"
#include "lm/model.h"

using namespace ps;
using namespace ps::lm;

namespace {

// A tiny random Qwen3 with sharper logits than HF's init (embeddings x 4, tied lm_head): greedy
// choices then have clear margins, so float rounding between batch shapes cannot flip them.
Model sharp_model() {
  Model m = Model::init_random(tiny_qwen3_config(64), 11);
  {
    at::NoGradGuard g;
    m.weights().embed_tokens.mul_(4.0);
  }
  return m;
}

GenerationConfig greedy(int64_t n) {
  GenerationConfig c;
  c.max_new_tokens = n;
  return c;
}

std::vector<int64_t> concat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<int64_t> head(const std::vector<int64_t>& a, size_t n) { return {a.begin(), a.begin() + n}; }

void expect_same(const Generation& got, const Generation& ref, const std::string& what) {
  EXPECT_EQ(got.ids, ref.ids) << what;
  ASSERT_EQ(got.logprobs.size(), ref.logprobs.size()) << what;
  for (size_t t = 0; t < got.logprobs.size(); ++t) EXPECT_NEAR(got.logprobs[t], ref.logprobs[t], 1e-4) << what << " step " << t;
  EXPECT_EQ(got.finish_reason, ref.finish_reason) << what;
}

}  // namespace

TEST(SequenceBatch, FirstCallIsGenerate) {
  Model m = sharp_model();
  std::vector<std::vector<int64_t>> prompts = {{1, 5, 9}, {2, 3, 4, 5, 6, 7}};
  SequenceBatch s(m, prompts);
  auto got = s.extend({0, 1}, {}, greedy(10));
  auto ref = generate(m, prompts, greedy(10));
  ASSERT_EQ(got.size(), 2u);
  for (int b = 0; b < 2; ++b) {
    expect_same(got[b], ref[b], "row " + std::to_string(b));
    EXPECT_EQ(s.tokens(b), concat(prompts[b], got[b].ids));
    EXPECT_EQ(s.cached(b), static_cast<int64_t>(prompts[b].size() + 9));  // the last token is pending
  }
}

TEST(SequenceBatch, ContinuesFromARolledBackCacheWithoutASecondPrefill) {
  Model m = sharp_model();
  const std::vector<int64_t> prompt = {1, 17, 4, 33, 8, 2, 40};
  SequenceBatch s(m, {prompt});
  int64_t before = m.forwarded_positions();
  auto g1 = s.extend({0}, {}, greedy(12));
  ASSERT_EQ(g1[0].ids.size(), 12u);
  // The prompt once, then the 11 sampled tokens that were fed back (the 12th stays pending).
  EXPECT_EQ(m.forwarded_positions() - before, 7 + 11);

  // Keep the prompt and the first 5 generated tokens, append a 2-token cue, continue 8 tokens.
  const std::vector<int64_t> kept = concat(prompt, head(g1[0].ids, 5)), cue = {9, 10};
  s.truncate(0, static_cast<int64_t>(kept.size()));
  EXPECT_EQ(s.tokens(0), kept);
  EXPECT_EQ(s.cached(0), static_cast<int64_t>(kept.size()));
  before = m.forwarded_positions();
  GenerationStats st;
  auto g2 = s.extend({0}, {cue}, greedy(8), {}, {}, &st);
  // Only the cue and the fed-back new tokens pass through the model: 2 + 7, not the 12 kept tokens again.
  EXPECT_EQ(m.forwarded_positions() - before, 2 + 7);
  EXPECT_EQ(st.prefill_tokens, 2);
  // The continued sequence starts with the kept prefix, then the cue.
  EXPECT_EQ(head(s.tokens(0), kept.size()), kept);
  EXPECT_EQ(s.tokens(0), concat(concat(kept, cue), g2[0].ids));
  EXPECT_EQ(g2[0].prompt_ids, concat(kept, cue));
  // Greedy continuation = greedy generation from scratch on the same tokens.
  auto ref = generate(m, {concat(kept, cue)}, greedy(8));
  expect_same(g2[0], ref[0], "continuation");

  // A second rollback inside the first continuation, then continue with one appended token.
  const std::vector<int64_t> kept2 = head(s.tokens(0), kept.size() + 2 + 3);
  s.truncate(0, static_cast<int64_t>(kept2.size()));
  before = m.forwarded_positions();
  auto g3 = s.extend({0}, {{21}}, greedy(6));
  EXPECT_EQ(m.forwarded_positions() - before, 1 + 5);
  expect_same(g3[0], generate(m, {concat(kept2, {21})}, greedy(6))[0], "second continuation");
}

TEST(SequenceBatch, BatchedRowsWithDifferentPrefixesAndAppends) {
  Model m = sharp_model();
  std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18}};
  SequenceBatch s(m, prompts);
  GenerationConfig cfg = greedy(10);
  cfg.stop_ids = {63};  // rarely hit; keeps the stop-id path in play
  auto g = s.extend({0, 1, 2}, {}, cfg);
  // Row 0 keeps 2 generated tokens, row 2 keeps 7; row 1 sits this round out.
  const auto k0 = concat(prompts[0], head(g[0].ids, 2)), k2 = concat(prompts[2], head(g[2].ids, 7));
  const auto row1 = s.tokens(1);
  s.truncate(0, static_cast<int64_t>(k0.size()));
  s.truncate(2, static_cast<int64_t>(k2.size()));
  const int64_t before = m.forwarded_positions();
  auto c = s.extend({2, 0}, {{30, 31, 32}, {40}}, cfg, {6, 4});
  const int64_t passed = m.forwarded_positions() - before;
  ASSERT_EQ(c.size(), 2u);
  expect_same(c[0], generate(m, {concat(k2, {30, 31, 32})}, greedy(6))[0], "row 2");
  expect_same(c[1], generate(m, {concat(k0, {40})}, greedy(4))[0], "row 0");
  // One chunk of 3 columns over the 3 rows, then at most 5 decode steps of 3 rows: far less than the
  // 9 + 7 and 3 + 2 kept tokens of rows 2 and 0 again, per row.
  EXPECT_LE(passed, 3 * 3 + 3 * 5);
  EXPECT_EQ(s.tokens(1), row1);  // untouched
  // Row 1 continues as it is: its pending last token passes, nothing appended.
  const auto r1 = s.extend({1}, {}, cfg, {5});
  expect_same(r1[0], generate(m, {row1}, greedy(5))[0], "row 1");
  // Keep row 2 only (its cache rows copied), roll it back and continue, growing the cache well past
  // its first capacity.
  s.retain({2});
  ASSERT_EQ(s.rows(), 1);
  const auto k2b = head(s.tokens(0), k2.size() + 3 + 2);
  s.truncate(0, static_cast<int64_t>(k2b.size()));
  const auto long_run = s.extend({0}, {{50, 51}}, greedy(40));
  expect_same(long_run[0], generate(m, {concat(k2b, {50, 51})}, greedy(40))[0], "retained row 2");
}

TEST(SequenceBatch, RejectsBadInput) {
  Model m = sharp_model();
  EXPECT_THROW(SequenceBatch(m, {{}}), Error);
  EXPECT_THROW(SequenceBatch(m, {{1, 99}}), Error);
  SequenceBatch s(m, {{1, 2, 3}, {4}});
  EXPECT_THROW(s.truncate(0, 0), Error);
  EXPECT_THROW(s.truncate(0, 4), Error);
  EXPECT_THROW(s.truncate(2, 1), Error);
  EXPECT_THROW(s.extend({0, 0}, {}, greedy(2)), Error);
  EXPECT_THROW(s.extend({0}, {{64}}, greedy(2)), Error);
  EXPECT_THROW(s.extend({0}, {}, greedy(3000)), Error);  // past max_position_embeddings (2048)
  s.extend({0}, {}, greedy(3));
  // Everything cached, nothing appended: the last logits are not kept, so there is nothing to go on.
  s.truncate(0, s.cached(0));
  EXPECT_THROW(s.extend({0}, {}, greedy(2)), Error);
  EXPECT_NO_THROW(s.extend({0}, {{7}}, greedy(2)));
}
