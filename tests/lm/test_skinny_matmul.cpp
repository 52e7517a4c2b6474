// The decode product x · Wᵀ for a few rows: the skinny kernel must agree with BLAS on every
// shape (row blocks of 4 with a tail, k in steps of 8 with a tail), and stay out of the way
// of autograd and of operands it does not handle.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include "lm/linear.h"
#include "lm/skinny_matmul.h"

using namespace ps::lm;

namespace {

bool kernel_available() {
  at::Tensor x = at::ones({1, 8}), w = at::ones({4, 8});
  return skinny_matmul_applies(x, w);
}

// Largest difference from at::matmul, relative to the size of a dot product of |terms|.
double relative_error(const at::Tensor& got, const at::Tensor& x, const at::Tensor& w) {
  at::Tensor want = at::matmul(x.to(at::kDouble), w.to(at::kDouble).t());
  at::Tensor scale = at::matmul(x.abs().to(at::kDouble), w.abs().to(at::kDouble).t()) + 1e-30;
  return ((got.to(at::kDouble) - want).abs() / scale).max().item<double>();
}

}  // namespace

TEST(SkinnyMatmul, MatchesBlasOnEveryTail) {
  if (!kernel_available()) GTEST_SKIP() << "no AVX2+FMA on this CPU (or PERTURBSCOPE_SKINNY_MATMUL=0)";
  at::manual_seed(3);
  for (int64_t M : {1, 2, 3, 5, 8, 16})
    for (int64_t out : {1, 3, 4, 7, 33, 130})
      for (int64_t in : {1, 7, 8, 9, 64, 100, 1031}) {
        at::Tensor x = at::randn({M, in}), w = at::randn({out, in});
        ASSERT_TRUE(skinny_matmul_applies(x, w));
        at::Tensor y = skinny_matmul(x, w);
        ASSERT_EQ(y.sizes(), (std::vector<int64_t>{M, out}));
        EXPECT_LT(relative_error(y, x, w), 1e-5) << "M=" << M << " out=" << out << " in=" << in;
      }
}

TEST(SkinnyMatmul, ThreadsSplitTheWeightRowsWithoutChangingTheResult) {
  if (!kernel_available()) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  at::manual_seed(4);
  at::Tensor w = at::randn({4099, 1024});  // big enough to be split
  for (int64_t M : {1, 3, 8}) {  // one row: the streamed kernel; more: the register blocks
    at::Tensor x = at::randn({M, 1024});
    const int before = at::get_num_threads();
    at::set_num_threads(1);
    at::Tensor one = skinny_matmul(x, w);
    at::set_num_threads(2);
    at::Tensor two = skinny_matmul(x, w);
    at::set_num_threads(3);
    at::Tensor three = skinny_matmul(x, w);
    at::set_num_threads(before);
    // Each output is summed in the same order whichever thread or stream computes it:
    // bit-identical, so a decode does not change with --threads.
    EXPECT_TRUE(at::equal(one, two)) << "M=" << M;
    EXPECT_TRUE(at::equal(one, three)) << "M=" << M;
    EXPECT_LT(relative_error(two, x, w), 1e-5) << "M=" << M;
  }
}

TEST(SkinnyMatmul, MatmulWtKeepsLeadingDimsAndTakesStridedRows) {
  at::manual_seed(5);
  at::Tensor w = at::randn({48, 40});
  at::Tensor x = at::randn({2, 40, 3}).transpose(1, 2);  // [2, 3, 40], not contiguous: 6 rows
  at::Tensor y = matmul_wt(x, w);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 3, 48}));
  EXPECT_LT(relative_error(y.reshape({6, 48}), x.reshape({6, 40}), w), 1e-5);
  at::Tensor one = matmul_wt(x.select(1, 0).unsqueeze(1), w);  // [2, 1, 40] -> [2, 1, 48]
  EXPECT_LT((one.squeeze(1) - y.select(1, 0)).abs().max().item<float>(), 1e-4);
}

TEST(SkinnyMatmul, DeclinesWhatItCannotDo) {
  at::Tensor w = at::randn({8, 16});
  EXPECT_FALSE(skinny_matmul_applies(at::randn({kSkinnyMaxRows + 1, 16}), w));  // many rows: BLAS gemm
  EXPECT_FALSE(skinny_matmul_applies(at::randn({2, 16}, at::kDouble), w.to(at::kDouble)));
  EXPECT_FALSE(skinny_matmul_applies(at::randn({2, 16}), at::randn({16, 8}).t()));  // W not contiguous
  EXPECT_FALSE(skinny_matmul_applies(at::randn({2, 15}), w));                       // shapes disagree
  EXPECT_FALSE(skinny_matmul_applies(at::randn({0, 16}), w));
  EXPECT_THROW(skinny_matmul(at::randn({2, 15}), w), c10::Error);
}

TEST(SkinnyMatmul, AutogradProductsStayOnTheDifferentiablePath) {
  at::manual_seed(6);
  at::Tensor w = at::randn({8, 16});
  at::Tensor x = at::randn({1, 2, 16}).requires_grad_(true);  // LoRA training: x carries a gradient
  EXPECT_FALSE(skinny_matmul_applies(x.view({2, 16}), w));
  at::Tensor y = matmul_wt(x, w);
  ASSERT_TRUE(y.requires_grad());
  y.sum().backward();
  // d(Σ x·Wᵀ)/dx = column sums of W, for every row
  at::Tensor want = w.sum(0).expand({1, 2, 16});
  EXPECT_LT((x.grad() - want).abs().max().item<float>(), 1e-5);
  {
    at::NoGradGuard no_grad;  // the same operands without autograd may use the kernel
    EXPECT_EQ(skinny_matmul_applies(x.detach().view({2, 16}), w), kernel_available());
  }
}
