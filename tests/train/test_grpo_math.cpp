// The pure math of GRPO (core/train): rewards, advantages, loss, learnability filter, masks.
// Every expected number is computed by hand from the formulas of pipeline-facts A/B (the
// arithmetic is written out in the comments), never taken from an earlier run of this code.
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "train/advantage.h"
#include "train/grpo_loss.h"
#include "train/learnability.h"
#include "train/reward.h"
#include "train/rollout_mask.h"

using namespace ps::train;
using ps::prompt::ParsedAnswer;
using ps::prompt::ParseFailure;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> vec(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kDouble).contiguous().reshape({-1});
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

at::Tensor t2(const std::vector<std::vector<double>>& rows, at::ScalarType dt = at::kDouble) {
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return at::tensor(flat, at::kDouble).view({static_cast<int64_t>(rows.size()), -1}).to(dt);
}

at::Tensor t1(const std::vector<double>& v) { return at::tensor(v, at::kDouble); }

ParsedAnswer answer(bool de, double confidence) {
  ParsedAnswer a;
  a.de = de;
  a.confidence = confidence;
  return a;
}

ParsedAnswer failed(ParseFailure f = ParseFailure::NoJson) {
  ParsedAnswer a;
  a.failure = f;
  a.detail = "test";
  return a;
}

// Runs f and returns the ps::Error message ("" when nothing was thrown).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Rewards

TEST(GrpoReward, RlcrComponentsByHand) {
  RewardConfig c;  // rlcr, penalty 0.5
  // right, P(DE) = 0.8, y = 1: correctness 1, calibration 1 - 0.2^2 = 0.96
  RewardParts p = compute_reward(c, answer(true, 0.8), 1);
  EXPECT_DOUBLE_EQ(p.correctness, 1);
  EXPECT_NEAR(p.calibration, 0.96, 1e-15);
  EXPECT_DOUBLE_EQ(p.format, 0);
  EXPECT_NEAR(p.total, 1.96, 1e-15);
  // "not DE" with confidence 0.7 -> P(DE) = 0.3; y = 0: right, calibration 1 - 0.09 = 0.91
  p = compute_reward(c, answer(false, 0.7), 0);
  EXPECT_DOUBLE_EQ(p.correctness, 1);
  EXPECT_NEAR(p.calibration, 0.91, 1e-15);
  EXPECT_NEAR(p.total, 1.91, 1e-15);
  // "DE" with confidence 0.6, y = 0: wrong, P(DE) = 0.6, calibration 1 - 0.36 = 0.64
  p = compute_reward(c, answer(true, 0.6), 0);
  EXPECT_DOUBLE_EQ(p.correctness, 0);
  EXPECT_NEAR(p.calibration, 0.64, 1e-15);
  EXPECT_NEAR(p.total, 0.64, 1e-15);
}

TEST(GrpoReward, LadderUnparseableBelowEveryParseable) {
  for (const std::string kind : {"rlcr", "rlvr"}) {
    RewardConfig c;
    c.kind = kind;
    const double malformed = compute_reward(c, failed(), 1).total;
    const double truncated = compute_reward(c, failed(ParseFailure::Truncated), 0).total;
    const double wrong_conf1 = compute_reward(c, answer(false, 1.0), 1).total;  // P(DE) = 0, y = 1
    const double wrong_conf0 = compute_reward(c, answer(false, 0.0), 1).total;  // P(DE) = 1, y = 1
    const double right_conf0 = compute_reward(c, answer(true, 0.0), 1).total;   // P(DE) = 0, y = 1
    const double right_conf1 = compute_reward(c, answer(true, 1.0), 1).total;   // P(DE) = 1, y = 1
    EXPECT_DOUBLE_EQ(malformed, -0.5) << kind;
    EXPECT_DOUBLE_EQ(truncated, -0.5) << kind;
    EXPECT_DOUBLE_EQ(wrong_conf1, 0.0) << kind;  // the minimum of any parseable answer
    EXPECT_LT(malformed, wrong_conf1) << kind;
    if (kind == "rlcr") {
      EXPECT_DOUBLE_EQ(wrong_conf0, 1.0);
      EXPECT_DOUBLE_EQ(right_conf0, 1.0);
      EXPECT_DOUBLE_EQ(right_conf1, 2.0);
    } else {
      EXPECT_DOUBLE_EQ(wrong_conf0, 0.0);
      EXPECT_DOUBLE_EQ(right_conf0, 1.0);
      EXPECT_DOUBLE_EQ(right_conf1, 1.0);
      EXPECT_DOUBLE_EQ(compute_reward(c, answer(true, 0.3), 1).calibration, 0.0);
    }
  }
  RewardConfig c;
  c.parse_penalty = 2;
  RewardParts p = compute_reward(c, failed(), 0);
  EXPECT_DOUBLE_EQ(p.correctness, 0);
  EXPECT_DOUBLE_EQ(p.calibration, 0);
  EXPECT_DOUBLE_EQ(p.format, -2);
  EXPECT_DOUBLE_EQ(p.total, -2);
}

TEST(GrpoReward, NamesBatchAndStats) {
  RewardConfig rlcr, rlvr;
  rlvr.kind = "rlvr";
  EXPECT_EQ(reward_component_names(rlcr), (std::vector<std::string>{"correctness", "calibration", "format"}));
  EXPECT_EQ(reward_component_names(rlvr), (std::vector<std::string>{"correctness", "format"}));

  // rows: right P=0.8 y=1 (1.96); unparseable (-0.5); wrong P(DE)=0.6 y=0 (0.64)
  std::vector<RewardParts> parts =
      compute_rewards(rlcr, {answer(true, 0.8), failed(), answer(true, 0.6)}, {1, 1, 0});
  expect_near(reward_totals(parts), {1.96, -0.5, 0.64}, 1e-15);
  EXPECT_DOUBLE_EQ(reward_component(parts[1], "format"), -0.5);
  EXPECT_NE(error_of([&] { reward_component(parts[0], "brier"); }).find("brier"), std::string::npos);

  std::vector<RewardStat> s = reward_stats(rlcr, parts);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].name, "correctness");
  EXPECT_EQ(s[3].name, "total");
  // correctness {1, 0, 0}: mean 1/3, unbiased var ((2/3)^2 + 2 (1/3)^2) / 2 = 1/3
  EXPECT_NEAR(s[0].mean, 1.0 / 3, 1e-15);
  EXPECT_NEAR(s[0].std, std::sqrt(1.0 / 3), 1e-15);
  // calibration {0.96, 0, 0.64}: mean 0.5333..., deviations 0.42667, -0.53333, 0.10667
  // sum of squares 0.182044 + 0.284444 + 0.011378 = 0.477867, / 2 = 0.238933
  EXPECT_NEAR(s[1].mean, 1.6 / 3, 1e-15);
  EXPECT_NEAR(s[1].std, std::sqrt(0.2389333333333333), 1e-12);
  // total {1.96, -0.5, 0.64}: mean 0.7
  EXPECT_NEAR(s[3].mean, 0.7, 1e-15);
  // one row: std undefined (NaN), never 0
  std::vector<RewardStat> one = reward_stats(rlcr, {parts[0]});
  EXPECT_TRUE(std::isnan(one[0].std));
  EXPECT_TRUE(std::isnan(reward_stats(rlcr, {})[0].mean));
}

TEST(GrpoReward, BadInputThrows) {
  RewardConfig c;
  EXPECT_NE(error_of([&] { compute_reward(c, answer(true, kNaN), 1); }).find("confidence"), std::string::npos);
  EXPECT_NE(error_of([&] { compute_reward(c, answer(true, 1.5), 1); }).find("confidence"), std::string::npos);
  EXPECT_NE(error_of([&] { compute_reward(c, answer(true, 0.5), 2); }).find("label"), std::string::npos);
  EXPECT_NE(error_of([&] { compute_rewards(c, {answer(true, 0.5)}, {1, 0}); }).find("labels"), std::string::npos);
  // the row is named in a batch
  EXPECT_NE(error_of([&] { compute_rewards(c, {answer(true, 0.5), answer(false, kNaN)}, {1, 0}); }).find("row 1"),
            std::string::npos);
}

TEST(GrpoReward, ValidateNamesTheField) {
  RewardConfig c;
  c.kind = "brier";
  EXPECT_NE(error_of([&] { c.validate(); }).find("reward.kind"), std::string::npos);
  c = RewardConfig();
  c.parse_penalty = 0;
  EXPECT_NE(error_of([&] { c.validate(); }).find("reward.parse_penalty"), std::string::npos);
  c.parse_penalty = kNaN;
  EXPECT_NE(error_of([&] { c.validate(); }).find("reward.parse_penalty"), std::string::npos);
  c.parse_penalty = -1;
  EXPECT_NE(error_of([&] { compute_reward(c, failed(), 1); }).find("reward.parse_penalty"), std::string::npos);
  EXPECT_NO_THROW(RewardConfig().validate());
}

// ---------------------------------------------------------------------------------------------
// Advantages. Two groups of G = 4:
//   g1 = {1, 0, 0, 1}: mean 0.5, deviations +-0.5, sum of squares 1, unbiased var 1/3, std 0.5773502691896258
//   g2 = {2, 0, 1, 1}: mean 1, deviations {1, -1, 0, 0}, sum of squares 2, var 2/3, std 0.816496580927726
//   batch: mean 6/8 = 0.75, sum of squares 4 x 0.0625 + 3 x 0.5625 + 1.5625 = 3.5, var 3.5/7 = 0.5,
//          std 0.7071067811865476

namespace {
const std::vector<double> kTwoGroups = {1, 0, 0, 1, 2, 0, 1, 1};
AdvantageConfig adv_config(ScaleRewards s, int64_t g = 4) {
  AdvantageConfig c;
  c.num_generations = g;
  c.scale = s;
  return c;
}
}  // namespace

TEST(GrpoAdvantage, NoneIsRewardMinusGroupMean) {
  AdvantageResult r = compute_advantages(kTwoGroups, adv_config(ScaleRewards::None));
  expect_near(vec(r.advantages), {0.5, -0.5, -0.5, 0.5, 1, -1, 0, 0});
  expect_near(vec(r.group_mean), {0.5, 1.0});
  expect_near(vec(r.group_std), {0.5773502691896258, 0.816496580927726});
  EXPECT_NEAR(r.reward_std, (0.5773502691896258 + 0.816496580927726) / 2, 1e-12);  // 0.6969234250586759
  EXPECT_NEAR(r.reward_mean, 0.75, 1e-15);
  EXPECT_NEAR(r.batch_std, 0.7071067811865476, 1e-12);
  EXPECT_EQ(r.n_groups, 2);
  EXPECT_EQ(r.n_zero_std_groups, 0);
  EXPECT_EQ(r.n_nonfinite_groups, 0);
  EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.0);
}

TEST(GrpoAdvantage, GroupScaling) {
  // g1: 0.5 / (0.5773502691896258 + 1e-4) = 0.8658754297607016
  // g2: 1 / (0.816496580927726 + 1e-4) = 1.2245948897605123
  AdvantageResult r = compute_advantages(kTwoGroups, adv_config(ScaleRewards::Group));
  const double a = 0.8658754297607016, b = 1.2245948897605123;
  expect_near(vec(r.advantages), {a, -a, -a, a, b, -b, 0, 0});
}

TEST(GrpoAdvantage, BatchScalingKeepsTheGroupMean) {
  // mean per group, std of the whole batch: 0.5 / 0.7072067811865476 = 0.7070067953266834, 1 / ... = 1.4140135906533668
  AdvantageResult r = compute_advantages(kTwoGroups, adv_config(ScaleRewards::Batch));
  const double a = 0.7070067953266834, b = 1.4140135906533668;
  expect_near(vec(r.advantages), {a, -a, -a, a, b, -b, 0, 0});
  // frac_reward_zero_std stays per group in batch mode
  EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.0);
}

TEST(GrpoAdvantage, AllEqualGroupGivesExactlyZero) {
  // three times 0.1: the float mean is 0.10000000000000002 != 0.1; the advantage must still be exactly 0
  for (ScaleRewards s : {ScaleRewards::None, ScaleRewards::Group, ScaleRewards::Batch}) {
    AdvantageResult r = compute_advantages(std::vector<double>{0.1, 0.1, 0.1, 1, 0, 0.5}, adv_config(s, 3));
    std::vector<double> a = vec(r.advantages);
    EXPECT_EQ(a[0], 0.0) << to_string(s);
    EXPECT_EQ(a[1], 0.0) << to_string(s);
    EXPECT_EQ(a[2], 0.0) << to_string(s);
    EXPECT_NE(a[3], 0.0);
    EXPECT_EQ(vec(r.group_std)[0], 0.0);
    EXPECT_EQ(r.n_zero_std_groups, 1);
    EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.5);
  }
}

TEST(GrpoAdvantage, ZeroStdUsesIscloseTolerance) {
  // g1 = {0, 1e-9}: std = 1e-9 / sqrt(2) = 7.07e-10 <= 1e-8 -> zero-std; g2 = {0, 1e-7}: std 7.07e-8 -> not
  AdvantageResult r = compute_advantages(std::vector<double>{0, 1e-9, 0, 1e-7}, adv_config(ScaleRewards::None, 2));
  EXPECT_EQ(r.n_zero_std_groups, 1);
  EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.5);
}

TEST(GrpoAdvantage, NonFiniteGroupIsFlaggedAndZeroed) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {kNaN, inf, -inf}) {
    AdvantageResult r = compute_advantages(std::vector<double>{1, 0, 0, 1, 2, bad, 1, 1},
                                           adv_config(ScaleRewards::Group));
    std::vector<double> a = vec(r.advantages);
    const double g1 = 0.8658754297607016;
    expect_near(std::vector<double>(a.begin(), a.begin() + 4), {g1, -g1, -g1, g1});
    for (int i = 4; i < 8; ++i) EXPECT_EQ(a[i], 0.0);
    EXPECT_EQ(r.n_nonfinite_groups, 1);
    EXPECT_TRUE(std::isnan(vec(r.group_std)[1]));
    EXPECT_FALSE(vec(r.group_finite)[1]);
    // statistics over the finite group only
    EXPECT_NEAR(r.reward_std, 0.5773502691896258, 1e-12);
    EXPECT_NEAR(r.reward_mean, 0.5, 1e-15);
    EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.0);
  }
  AdvantageResult all = compute_advantages(std::vector<double>{kNaN, 0}, adv_config(ScaleRewards::Batch, 2));
  expect_near(vec(all.advantages), {0, 0});
  EXPECT_TRUE(std::isnan(all.frac_reward_zero_std));
  EXPECT_TRUE(std::isnan(all.reward_std));
}

TEST(GrpoAdvantage, ParseAndValidate) {
  EXPECT_EQ(parse_scale_rewards("none"), ScaleRewards::None);
  EXPECT_EQ(parse_scale_rewards("false"), ScaleRewards::None);
  EXPECT_EQ(parse_scale_rewards("group"), ScaleRewards::Group);
  EXPECT_EQ(parse_scale_rewards("true"), ScaleRewards::Group);
  EXPECT_EQ(parse_scale_rewards("batch"), ScaleRewards::Batch);
  EXPECT_EQ(scale_rewards_from_bool(true), ScaleRewards::Group);
  EXPECT_EQ(scale_rewards_from_bool(false), ScaleRewards::None);
  EXPECT_NE(error_of([] { parse_scale_rewards("global"); }).find("scale_rewards"), std::string::npos);

  AdvantageConfig c = adv_config(ScaleRewards::Group, 1);
  std::string m = error_of([&] { c.validate(); });
  EXPECT_NE(m.find("num_generations"), std::string::npos) << m;
  EXPECT_NE(m.find("group"), std::string::npos) << m;
  c.num_generations = 4;
  c.std_eps = 0;
  EXPECT_NE(error_of([&] { c.validate(); }).find("std_eps"), std::string::npos);
  // a batch that is not a multiple of G
  EXPECT_NE(error_of([] { compute_advantages(std::vector<double>{1, 0, 1}, adv_config(ScaleRewards::None, 2)); })
                .find("num_generations"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// k3 KL: D = exp(d) - d - 1 with d = ref - logp

TEST(GrpoLoss, K3KlMatchesItsFormula) {
  at::Tensor logp = t1({-1.0, -1.5, -2.0, -0.7}).requires_grad_(true);
  at::Tensor ref = t1({-1.2, -1.2, -2.5, -0.7});  // d = -0.2, 0.3, -0.5, 0
  at::Tensor D = k3_kl(logp, ref);
  // exp(-0.2) + 0.2 - 1 = 0.018730753077981888; exp(0.3) - 1.3 = 0.04985880757600314;
  // exp(-0.5) + 0.5 - 1 = 0.10653065971263342; 0
  expect_near(vec(D), {0.018730753077981888, 0.04985880757600314, 0.10653065971263342, 0.0}, 1e-14);
  // dD/dlogp = 1 - exp(d)
  D.sum().backward();
  expect_near(vec(logp.grad()), {1 - std::exp(-0.2), 1 - std::exp(0.3), 1 - std::exp(-0.5), 0.0}, 1e-14);
  EXPECT_NE(error_of([] { k3_kl(t1({0, 0}), t1({0})); }).find("shape"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The 2x3 example, epsilon 0.2/0.2, beta 0.04, A = {1, -0.5}, mask {{1,1,0},{1,1,1}}:
//   logp = {{-1.0, -2.0, -0.5}, {-0.3, -1.5, -2.5}},  old = {{-1.0, -1.5, -0.7}, {-0.3, -1.0, -2.0}}
//   ratio = {{1, e^-0.5 = 0.60653, e^0.2 = 1.2214}, {1, 0.60653, 0.60653}}
//   ref   = {{-1.2, -2.0, -0.5}, {-0.3, -1.2, -3.0}}:  d = {{-0.2, 0, 0}, {0, 0.3, -0.5}}
//   row 0 (A = 1):  t0 -min(1, 1) = -1; t1 -min(0.60653, 0.8) = -0.60653; t2 -min(1.2214, 1.2) = -1.2 (masked)
//   row 1 (A = -.5): t0 -min(-0.5, -0.5) = 0.5; t1 -min(-0.30327, 0.8 x -0.5 = -0.4) = 0.4 (low-clipped); t2 0.4 (same)
//   + beta D: row 0 t0 += 0.04 x 0.018730753 -> -0.99925076988;  row 1 t1 0.40199435230, t2 0.40426122639
//   masked sums: row 0 -1.60578142959 (2 tokens), row 1 1.30625557869 (3 tokens), total -0.29952585090
//   grpo  = (-1.60578142959 / 2 + 1.30625557869 / 3) / 2 = -0.18373609428212093
//   bnpo  = -0.29952585090 / 5 = -0.059905170179593716
//   dr_grpo (max_completion_length 4) = -0.29952585090 / (2 x 4) = -0.03744073136224607
//   dapo (10 active tokens in the accumulated batch) = -0.029952585089796858
//   kl = (0.018730753077981888 + 0.04985880757600314 + 0.10653065971263342) / 5 = 0.03502404407332369
//   clip: low = 2 of 5 masked tokens (row 1 t1, t2); high: row 0 t2 only, masked out -> 0

namespace {
GrpoLossInputs two_by_three() {
  GrpoLossInputs in;
  in.logp = t2({{-1.0, -2.0, -0.5}, {-0.3, -1.5, -2.5}}).requires_grad_(true);
  in.old_logp = t2({{-1.0, -1.5, -0.7}, {-0.3, -1.0, -2.0}});
  in.ref_logp = t2({{-1.2, -2.0, -0.5}, {-0.3, -1.2, -3.0}});
  in.advantages = t1({1.0, -0.5});
  in.completion_mask = t2({{1, 1, 0}, {1, 1, 1}});
  in.dapo_active_tokens = 10;
  return in;
}
GrpoLossConfig loss_config(LossType t) {
  GrpoLossConfig c;
  c.loss_type = t;
  c.beta = 0.04;
  c.max_completion_length = 4;
  return c;
}
}  // namespace

TEST(GrpoLoss, AggregationsOnTwoByThree) {
  const std::vector<std::pair<LossType, double>> cases = {{LossType::Grpo, -0.18373609428212093},
                                                          {LossType::Bnpo, -0.059905170179593716},
                                                          {LossType::DrGrpo, -0.03744073136224607},
                                                          {LossType::Dapo, -0.029952585089796858}};
  for (const auto& [type, want] : cases) {
    GrpoLossResult r = grpo_loss(loss_config(type), two_by_three());
    EXPECT_NEAR(r.loss.item<double>(), want, 1e-12) << to_string(type);
    EXPECT_EQ(r.active_tokens, 5);
    EXPECT_NEAR(r.kl, 0.03502404407332369, 1e-12);
    EXPECT_NEAR(r.clip_low_mean, 0.4, 1e-15);
    EXPECT_NEAR(r.clip_low_min, 0.4, 1e-15);
    EXPECT_DOUBLE_EQ(r.clip_high_mean, 0.0);
    EXPECT_DOUBLE_EQ(r.clip_high_max, 0.0);
    EXPECT_NEAR(r.clip_region_mean, 0.4, 1e-15);
    expect_near(vec(r.per_token_loss), {-0.9992507698768808, -0.6065306597126334, -1.2, 0.5, 0.40199435230304015,
                                        0.40426122638850537});
    // gradient accumulation divides grpo/bnpo/dr_grpo by the step count; dapo's count spans it already
    GrpoLossConfig c = loss_config(type);
    c.grad_accum_steps = 2;
    const double accum = grpo_loss(c, two_by_three()).loss.item<double>();
    EXPECT_NEAR(accum, type == LossType::Dapo ? want : want / 2, 1e-12) << to_string(type);
  }
  std::vector<std::pair<std::string, double>> m = grpo_loss(loss_config(LossType::Bnpo), two_by_three()).metrics(0.04);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].first, "kl");
  EXPECT_EQ(m[1].first, "clip_ratio/low_mean");
  EXPECT_EQ(m[5].first, "clip_ratio/region_mean");
}

TEST(GrpoLoss, BnpoGradientByHand) {
  // d loss / d logp = (d L_t / d logp) M / 5.  L_t = -ratio A + beta D (unclipped) or clip A + beta D (clipped):
  //   row 0 t0: -1 x 1 + 0.04 (1 - e^-0.2);  t1: -e^-0.5 x 1 + 0.04 (1 - e^0) = -0.60653;  t2: masked 0
  //   row 1 t0: -1 x -0.5 + 0 = 0.5;  t1: clipped 0 + 0.04 (1 - e^0.3);  t2: clipped 0 + 0.04 (1 - e^-0.5)
  GrpoLossInputs in = two_by_three();
  grpo_loss(loss_config(LossType::Bnpo), in).loss.backward();
  expect_near(vec(in.logp.grad()), {(-1 + 0.04 * (1 - std::exp(-0.2))) / 5, -std::exp(-0.5) / 5, 0.0, 0.5 / 5,
                                    0.04 * (1 - std::exp(0.3)) / 5, 0.04 * (1 - std::exp(-0.5)) / 5},
              1e-14);
}

TEST(GrpoLoss, ClippingBothSidesZeroesTheGradient) {
  // one row of 4 tokens, bnpo, beta 0; ratio = {1.5, 1.5, 0.5, 0.5}, A per row: two rows to vary the sign
  //   A > 0, ratio 1.5: -min(1.5, 1.2) = -1.2  clipped (high)  grad 0
  //   A < 0, ratio 1.5: -min(-1.5, -1.2) = 1.5 unclipped       grad -ratio A / n = 1.5 / 8
  //   A > 0, ratio 0.5: -min(0.5, 0.8) = -0.5  unclipped       grad -0.5 / 8
  //   A < 0, ratio 0.5: -min(-0.5, -0.8) = 0.8 clipped (low)   grad 0
  GrpoLossInputs in;
  const double l15 = std::log(1.5), l05 = std::log(0.5);
  in.logp = t2({{l15, l05, l15, l05}, {l15, l05, l15, l05}}).requires_grad_(true);
  in.old_logp = at::zeros({2, 4}, at::kDouble);
  in.advantages = t1({1.0, -1.0});
  in.completion_mask = at::ones({2, 4}, at::kDouble);
  GrpoLossConfig c;
  c.beta = 0;
  c.loss_type = LossType::Bnpo;
  GrpoLossResult r = grpo_loss(c, in);
  expect_near(vec(r.per_token_loss), {-1.2, -0.5, -1.2, -0.5, 1.5, 0.8, 1.5, 0.8}, 1e-12);
  // (-1.2 - 0.5 - 1.2 - 0.5 + 1.5 + 0.8 + 1.5 + 0.8) / 8 = 1.2 / 8
  EXPECT_NEAR(r.loss.item<double>(), 0.15, 1e-12);
  EXPECT_NEAR(r.clip_high_mean, 2.0 / 8, 1e-15);
  EXPECT_NEAR(r.clip_low_mean, 2.0 / 8, 1e-15);
  EXPECT_NEAR(r.clip_region_mean, 4.0 / 8, 1e-15);
  EXPECT_TRUE(std::isnan(r.kl));
  r.loss.backward();
  expect_near(vec(in.logp.grad()), {0.0, -0.5 / 8, 0.0, -0.5 / 8, 1.5 / 8, 0.0, 1.5 / 8, 0.0}, 1e-15);
  std::vector<double> g = vec(in.logp.grad());
  EXPECT_EQ(g[0], 0.0);  // exactly, not nearly
  EXPECT_EQ(g[5], 0.0);

  // delta 2 caps the unclipped ratio: A < 0, ratio 3 -> -min(2 x -1, 1.2 x -1) = 2, and no gradient
  GrpoLossInputs d;
  d.logp = t2({{std::log(3.0)}}).requires_grad_(true);
  d.old_logp = at::zeros({1, 1}, at::kDouble);
  d.advantages = t1({-1.0});
  d.completion_mask = at::ones({1, 1}, at::kDouble);
  c.delta = 2.0;
  GrpoLossResult rd = grpo_loss(c, d);
  EXPECT_NEAR(rd.loss.item<double>(), 2.0, 1e-12);
  rd.loss.backward();
  EXPECT_EQ(vec(d.logp.grad())[0], 0.0);
}

TEST(GrpoLoss, AllEqualRewardsGiveExactlyZeroPolicyGradient) {
  AdvantageResult adv =
      compute_advantages(std::vector<double>{0.1, 0.1, 0.1, 1.3, 1.3, 1.3}, adv_config(ScaleRewards::Group, 3));
  for (double a : vec(adv.advantages)) ASSERT_EQ(a, 0.0);
  at::Generator gen = at::detail::createCPUGenerator(7);
  for (LossType type : {LossType::Grpo, LossType::Bnpo, LossType::DrGrpo, LossType::Dapo}) {
    for (bool with_old : {false, true}) {
      GrpoLossInputs in;
      in.logp = (-at::rand({6, 5}, gen, at::kFloat) * 3).requires_grad_(true);
      if (with_old) in.old_logp = -at::rand({6, 5}, gen, at::kFloat) * 3;
      in.advantages = adv.advantages;
      in.completion_mask = t2({{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {1, 0, 0, 0, 0},
                               {1, 1, 0, 0, 0}, {1, 1, 1, 1, 0}, {0, 0, 0, 0, 0}}, at::kFloat);
      in.dapo_active_tokens = 20;
      GrpoLossConfig c = loss_config(type);
      c.beta = 0;
      GrpoLossResult r = grpo_loss(c, in);
      EXPECT_EQ(r.loss.item<double>(), 0.0);
      r.loss.backward();
      EXPECT_EQ(in.logp.grad().abs().max().item<double>(), 0.0) << to_string(type) << " old " << with_old;
    }
  }
}

TEST(GrpoLoss, FirstIterationRatioIsExactlyOne) {
  // old undefined (num_iterations 1): ratio == 1, L_t = -A, nothing clipped, yet the gradient is -A / n
  GrpoLossInputs in;
  in.logp = t2({{-0.7, -1.9, -0.2}, {-2.2, -0.4, -1.1}}, at::kFloat).requires_grad_(true);
  in.advantages = t1({0.75, -0.25});
  in.completion_mask = t2({{1, 1, 1}, {1, 1, 0}}, at::kFloat);
  GrpoLossConfig c;
  c.beta = 0;
  c.epsilon_low = c.epsilon_high = 0;  // the narrowest band: still nothing clipped at ratio 1
  c.loss_type = LossType::Bnpo;
  GrpoLossResult r = grpo_loss(c, in);
  expect_near(vec(r.per_token_loss), {-0.75, -0.75, -0.75, 0.25, 0.25, 0.25}, 0);
  // (3 x -0.75 + 2 x 0.25) / 5 = -0.35
  EXPECT_NEAR(r.loss.item<double>(), -0.35, 1e-7);
  EXPECT_EQ(r.clip_region_mean, 0.0);
  r.loss.backward();
  expect_near(vec(in.logp.grad()), {-0.15, -0.15, -0.15, 0.05, 0.05, 0.0}, 1e-7);
}

TEST(GrpoLoss, BetaZeroLeavesTheReferenceUnused) {
  GrpoLossInputs in = two_by_three();
  in.ref_logp = at::Tensor();  // no reference forward
  GrpoLossConfig c = loss_config(LossType::Bnpo);
  c.beta = 0;
  GrpoLossResult r = grpo_loss(c, in);
  // without the KL terms: (-1 - 0.60653 + 0.5 + 0.4 + 0.4) / 5 = -0.30653065971263342 / 5
  EXPECT_NEAR(r.loss.item<double>(), -0.30653065971263342 / 5, 1e-12);
  EXPECT_TRUE(std::isnan(r.kl));
  std::vector<std::pair<std::string, double>> m = r.metrics(0);
  EXPECT_EQ(m.size(), 5u);
  for (const auto& kv : m) EXPECT_NE(kv.first, "kl");
  // beta != 0 without a reference is an error, not a silent KL of 0
  c.beta = 0.04;
  EXPECT_NE(error_of([&] { grpo_loss(c, in); }).find("ref_logp"), std::string::npos);
}

TEST(GrpoLoss, AllZeroMaskRowIsNotNaN) {
  GrpoLossInputs in = two_by_three();
  in.completion_mask = t2({{0, 0, 0}, {1, 1, 1}});
  GrpoLossResult r = grpo_loss(loss_config(LossType::Grpo), in);
  // grpo: (0 / max(0, 1) + 1.30625557869 / 3) / 2
  EXPECT_NEAR(r.loss.item<double>(), (0.5 + 0.40199435230304015 + 0.40426122638850537) / 3 / 2, 1e-12);
  // an all-zero mask everywhere: loss 0 (not NaN) for every aggregation, metrics undefined (NaN)
  in.completion_mask = at::zeros({2, 3}, at::kDouble);
  in.dapo_active_tokens = 0;
  for (LossType type : {LossType::Grpo, LossType::Bnpo, LossType::DrGrpo, LossType::Dapo}) {
    GrpoLossResult z = grpo_loss(loss_config(type), in);
    EXPECT_EQ(z.loss.item<double>(), 0.0) << to_string(type);
    EXPECT_TRUE(std::isnan(z.clip_low_mean));
    EXPECT_TRUE(std::isnan(z.kl));
  }
}

TEST(GrpoLoss, Bf16LogpIsSummedInFloat32) {
  // 600 active tokens of L = -1: a bf16 sum would round the count (bf16 holds integers exactly only to 256)
  GrpoLossInputs in;
  in.logp = at::zeros({2, 300}, at::kBFloat16).requires_grad_(true);
  in.advantages = t1({1.0, 1.0});
  in.completion_mask = at::ones({2, 300}, at::kFloat);
  GrpoLossConfig c;
  c.beta = 0;
  GrpoLossResult r = grpo_loss(c, in);
  EXPECT_EQ(r.loss.scalar_type(), at::kFloat);
  EXPECT_EQ(r.active_tokens, 600);
  EXPECT_FLOAT_EQ(r.loss.item<float>(), -1.0f);
  r.loss.backward();
  EXPECT_EQ(in.logp.grad().scalar_type(), at::kBFloat16);
}

TEST(GrpoLoss, ValidateAndShapeErrors) {
  auto msg = [](GrpoLossConfig c) { return error_of([&] { c.validate(); }); };
  GrpoLossConfig c;
  EXPECT_EQ(msg(c), "");
  c.epsilon_low = -0.1;
  EXPECT_NE(msg(c).find("epsilon_low"), std::string::npos);
  c = GrpoLossConfig();
  c.epsilon_high = -0.1;
  EXPECT_NE(msg(c).find("epsilon_high"), std::string::npos);
  c = GrpoLossConfig();
  c.beta = kNaN;
  EXPECT_NE(msg(c).find("beta"), std::string::npos);
  c.beta = -1;
  EXPECT_NE(msg(c).find("beta"), std::string::npos);
  c = GrpoLossConfig();
  c.delta = 1.1;  // inside the band
  EXPECT_NE(msg(c).find("delta"), std::string::npos);
  c = GrpoLossConfig();
  c.max_completion_length = 0;
  EXPECT_NE(msg(c).find("max_completion_length"), std::string::npos);
  c = GrpoLossConfig();
  c.grad_accum_steps = 0;
  EXPECT_NE(msg(c).find("grad_accum_steps"), std::string::npos);
  EXPECT_NE(error_of([] { parse_loss_type("ppo"); }).find("loss_type"), std::string::npos);
  EXPECT_EQ(parse_loss_type("dr_grpo"), LossType::DrGrpo);
  EXPECT_STREQ(to_string(parse_loss_type("dapo")), "dapo");

  GrpoLossConfig ok = loss_config(LossType::Bnpo);
  GrpoLossInputs in = two_by_three();
  in.old_logp = at::zeros({2, 4}, at::kDouble);
  EXPECT_NE(error_of([&] { grpo_loss(ok, in); }).find("old_logp"), std::string::npos);
  in = two_by_three();
  in.advantages = t1({1, 2, 3});
  EXPECT_NE(error_of([&] { grpo_loss(ok, in); }).find("advantages"), std::string::npos);
  in = two_by_three();
  in.completion_mask = t2({{1, 0.5, 0}, {1, 1, 1}});
  EXPECT_NE(error_of([&] { grpo_loss(ok, in); }).find("completion_mask"), std::string::npos);
  in = two_by_three();
  in.dapo_active_tokens = 3;  // fewer than this micro-batch's 5
  EXPECT_NE(error_of([&] { grpo_loss(loss_config(LossType::Dapo), in); }).find("dapo_active_tokens"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Learnability filter and upsampling

TEST(GrpoLearnability, KeepsPromptsWithSomeButNotAllCorrect) {
  LearnabilityResult r = learnability_filter({0, 3, 8, 1, 7, 8, 0, 4}, 8);
  EXPECT_EQ(r.kept, (std::vector<int64_t>{1, 3, 4, 7}));
  EXPECT_EQ(r.pool_size, 8);
  EXPECT_EQ(r.n_all_correct, 2);
  EXPECT_EQ(r.n_all_wrong, 2);
  EXPECT_DOUBLE_EQ(r.frac_zero_variance, 0.5);
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(r.message, "");
  EXPECT_NO_THROW(r.require_nonempty());
}

TEST(GrpoLearnability, EmptyResultIsAnOutcomeWithAMessage) {
  LearnabilityResult r = learnability_filter({0, 8, 8}, 8);
  EXPECT_TRUE(r.empty());
  EXPECT_DOUBLE_EQ(r.frac_zero_variance, 1.0);
  EXPECT_EQ(r.message,
            "the filter kept no prompt of 3: all were solved by every or by no rollout; lower K, raise temperature "
            "or disable the filter");
  EXPECT_EQ(error_of([&] { r.require_nonempty(); }), r.message);
  LearnabilityResult none = learnability_filter({}, 4);
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(std::isnan(none.frac_zero_variance));
  EXPECT_NE(none.message.find("empty prompt pool"), std::string::npos);
  EXPECT_NE(error_of([] { learnability_filter({1, 9}, 8); }).find("prompt 1"), std::string::npos);
  EXPECT_NE(error_of([] { learnability_filter({0, 1}, 1); }).find("K"), std::string::npos);
}

TEST(GrpoLearnability, UpsamplingReachesTheRateDeterministically) {
  // 3 positives (12, 15, 19), 7 negatives, rate 0.5: P' >= 0.5 x 7 / 0.5 = 7 -> 4 copies:
  // one whole round (12, 15, 19), then one positive chosen by the seed
  const std::vector<int64_t> idx = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  const std::vector<int> lab = {0, 0, 1, 0, 0, 1, 0, 0, 0, 1};
  UpsampleResult r = upsample_positive_indices(idx, lab, 0.5, 42);
  ASSERT_EQ(r.indices.size(), 14u);
  EXPECT_EQ(std::vector<int64_t>(r.indices.begin(), r.indices.begin() + 13),
            (std::vector<int64_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 12, 15, 19}));
  EXPECT_TRUE(r.indices[13] == 12 || r.indices[13] == 15 || r.indices[13] == 19);
  EXPECT_EQ(r.n_positive, 3);
  EXPECT_EQ(r.n_negative, 7);
  EXPECT_EQ(r.n_added, 4);
  EXPECT_DOUBLE_EQ(r.rate_before, 0.3);
  EXPECT_DOUBLE_EQ(r.rate_after, 0.5);
  EXPECT_TRUE(r.reached);
  // same seed, same result; the seed does choose (over 20 seeds more than one pick appears)
  EXPECT_EQ(upsample_positive_indices(idx, lab, 0.5, 42).indices, r.indices);
  std::set<int64_t> picks;
  for (uint64_t s = 0; s < 20; ++s) picks.insert(upsample_positive_indices(idx, lab, 0.5, s).indices.back());
  EXPECT_GT(picks.size(), 1u);

  // rate 0.4 with 2 positives of 10: P' >= 0.4 x 8 / 0.6 = 5.33 -> 6, i.e. two whole rounds, no random part
  const std::vector<int> lab2 = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
  UpsampleResult r2 = upsample_positive_indices(idx, lab2, 0.4, 1);
  EXPECT_EQ(std::vector<int64_t>(r2.indices.begin() + 10, r2.indices.end()), (std::vector<int64_t>{10, 14, 10, 14}));
  EXPECT_DOUBLE_EQ(r2.rate_after, 6.0 / 14);
}

TEST(GrpoLearnability, NaturalAndDegenerateUpsampling) {
  const std::vector<int64_t> idx = {3, 5, 7, 9};
  UpsampleResult nat = upsample_positive_indices(idx, {1, 0, 0, 0}, std::nullopt, 0);
  EXPECT_EQ(nat.indices, idx);
  EXPECT_EQ(nat.n_added, 0);
  EXPECT_DOUBLE_EQ(nat.rate_after, 0.25);
  UpsampleResult above = upsample_positive_indices(idx, {1, 1, 0, 0}, 0.4, 0);  // already 0.5 >= 0.4
  EXPECT_EQ(above.indices, idx);
  UpsampleResult nopos = upsample_positive_indices(idx, {0, 0, 0, 0}, 0.4, 0);
  EXPECT_EQ(nopos.indices, idx);
  EXPECT_FALSE(nopos.reached);
  EXPECT_EQ(parse_positive_rate("natural"), std::nullopt);
  EXPECT_DOUBLE_EQ(*parse_positive_rate("0.4"), 0.4);
  EXPECT_NE(error_of([] { parse_positive_rate("1"); }).find("positive_rate"), std::string::npos);
  EXPECT_NE(error_of([] { parse_positive_rate("0.4x"); }).find("positive_rate"), std::string::npos);
  EXPECT_NE(error_of([&] { upsample_positive_indices(idx, {1, 2, 0, 0}, 0.4, 0); }).find("label"), std::string::npos);
  EXPECT_NE(error_of([&] { upsample_positive_indices(idx, {1, 0}, 0.4, 0); }).find("labels"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Completion mask (stop ids {9, 8}, pad 0)

TEST(GrpoRolloutMask, MaskUpToAndIncludingTheFirstStop) {
  const std::vector<std::vector<int64_t>> rows = {{1, 2, 9, 5}, {3, 4}, {8}, {1, 2, 3, 4, 5}};
  CompletionBatch b = build_completion_batch(rows, {9, 8}, 0, false);
  EXPECT_EQ(b.ids.sizes(), (at::IntArrayRef{4, 5}));
  expect_near(vec(b.ids), {1, 2, 9, 5, 0, 3, 4, 0, 0, 0, 8, 0, 0, 0, 0, 1, 2, 3, 4, 5}, 0);
  expect_near(vec(b.mask), {1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1}, 0);
  EXPECT_EQ(b.lengths, (std::vector<int64_t>{3, 2, 1, 5}));
  EXPECT_EQ(b.truncated, (std::vector<bool>{false, true, false, true}));
  EXPECT_DOUBLE_EQ(b.clipped_ratio, 0.5);

  CompletionBatch m = build_completion_batch(rows, {9, 8}, 0, true);
  expect_near(vec(m.mask), {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
  EXPECT_EQ(m.lengths, (std::vector<int64_t>{3, 2, 1, 5}));  // lengths before masking (TRL's completion_lengths)
  EXPECT_DOUBLE_EQ(m.clipped_ratio, 0.5);

  EXPECT_NE(error_of([&] { build_completion_batch(rows, {}, 0, false); }).find("stop_ids"), std::string::npos);
  EXPECT_NE(error_of([] { build_completion_batch({}, {9}, 0, false); }).find("B = 0"), std::string::npos);
}
