// Attention of a few queries against a KV cache: the CPU kernel must match softmax(q·kᵀ/√d + bias)·v
// computed the plain way, with grouped KV heads, a padding mask, several query positions and
// keys/values that are views into a larger cache buffer.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lm/decode_attention.h"

using namespace ps::lm;

namespace {

// The reference, in double: query head h reads KV head h / (H / KV).
at::Tensor reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias) {
  const int64_t H = q.size(1), KV = k.size(1), d = q.size(3);
  at::Tensor kr = k.to(at::kDouble).repeat_interleave(H / KV, 1), vr = v.to(at::kDouble).repeat_interleave(H / KV, 1);
  at::Tensor s = at::matmul(q.to(at::kDouble), kr.transpose(-1, -2)) / std::sqrt(double(d));
  if (bias.defined()) s = s + bias.to(at::kDouble);
  return at::matmul(at::softmax(s, -1), vr);
}

}  // namespace

TEST(DecodeAttention, MatchesThePlainComputation) {
  at::Tensor probe = at::zeros({1, 1, 1, 8});
  if (!decode_attention_applies(probe, probe, probe, {})) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  at::manual_seed(7);
  for (int64_t L : {1, 3})
    for (auto [H, KV] : std::vector<std::pair<int64_t, int64_t>>{{4, 4}, {8, 2}}) {
      const int64_t B = 3, d = 20, T = 37, capacity = 50;
      at::Tensor q = at::randn({B, H, L, d});
      // The cache layout: [B, KV, capacity, d] buffers, the first T slots in use.
      at::Tensor k = at::randn({B, KV, capacity, d}).narrow(2, 0, T);
      at::Tensor v = at::randn({B, KV, capacity, d}).narrow(2, 0, T);
      // Row 1 is left-padded by 5 slots; row 2 sees everything.
      at::Tensor allowed = at::ones({B, 1, L, T}, at::kBool);
      allowed.select(0, 1).narrow(-1, 0, 5).fill_(false);
      at::Tensor bias = at::zeros({B, 1, L, T}).masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
      for (const at::Tensor& b : {at::Tensor(), bias}) {
        ASSERT_TRUE(decode_attention_applies(q, k, v, b));
        at::Tensor got = decode_attention(q, k, v, b);
        ASSERT_EQ(got.sizes(), q.sizes());
        const double err = (got.to(at::kDouble) - reference(q, k, v, b)).abs().max().item<double>();
        EXPECT_LT(err, 1e-5) << "L=" << L << " H=" << H << " KV=" << KV << (b.defined() ? " with mask" : "");
      }
    }
}

TEST(DecodeAttention, OneMaskForTheWholeBatchBroadcasts) {
  at::Tensor probe = at::zeros({1, 1, 1, 8});
  if (!decode_attention_applies(probe, probe, probe, {})) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  at::manual_seed(8);
  at::Tensor q = at::randn({2, 4, 2, 16}), k = at::randn({2, 2, 9, 16}), v = at::randn({2, 2, 9, 16});
  // Causal over the last two slots: query 0 must not see slot 8.
  at::Tensor bias = at::zeros({1, 1, 2, 9});
  bias[0][0][0][8] = std::numeric_limits<float>::lowest();
  at::Tensor got = decode_attention(q, k, v, bias);
  EXPECT_LT((got.to(at::kDouble) - reference(q, k, v, bias)).abs().max().item<double>(), 1e-5);
}

TEST(DecodeAttention, DeclinesWhatItCannotDo) {
  at::Tensor q = at::randn({1, 4, 1, 8}), k = at::randn({1, 2, 5, 8});
  EXPECT_FALSE(decode_attention_applies(at::randn({1, 4, kDecodeAttentionMaxQueries + 1, 8}), k, k, {}));  // prefill
  EXPECT_FALSE(decode_attention_applies(q, at::randn({1, 3, 5, 8}), at::randn({1, 3, 5, 8}), {}));  // 4 % 3 heads
  EXPECT_FALSE(decode_attention_applies(q.to(at::kDouble), k.to(at::kDouble), k.to(at::kDouble), {}));
  EXPECT_FALSE(decode_attention_applies(q, k, k, at::zeros({1, 1, 1, 4})));  // mask of the wrong length
  EXPECT_FALSE(decode_attention_applies(q.requires_grad_(true), k, k, {}));  // training: autograd path
}
