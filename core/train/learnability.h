// The learnability filter of the RLCR-style pipeline, and positive upsampling of the prompt pool.
//
// Dimensions: N prompts in the pool, K rollouts per prompt (G of the GRPO step).
//
// Learnability (issue 12; the cure for zero-variance GRPO groups, pipeline-facts A.7): score the
// pool of N prompts with K rollouts of the current policy and keep the prompts with
// 1 <= c_j <= K - 1 correct completions. A prompt solved by every rollout or by none gives an
// all-equal correctness in its group, hence (for RLVR exactly, for RLCR nearly) a zero-std group
// and no gradient.
//   frac_zero_variance = #{j : c_j == 0 or c_j == K} / N     (correctness-based, before filtering)
// An empty result is an outcome of its own (empty() / message / require_nonempty()), never a
// silent stall.
//
// Positive upsampling (the seed paper's "positive_rate" arm; same rule as
// ps::data::upsample_positives, core/data/splits.h, but over pool indices): with P positives
// (label 1) and Q negatives and a target rate r in (0, 1), append copies of positives until
//   P' >= r Q / (1 - r),  i.e.  P' / (P' + Q) >= r,
// whole rounds of every positive first, then a seeded random subset of the positives (mt19937_64).
// Nothing is ever dropped; a pool already at or above r, or without any positive, is returned
// unchanged. "natural" (no rate) means no upsampling.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ps::train {

struct LearnabilityResult {
  std::vector<int64_t> kept;     // indices into the pool of the kept prompts, ascending
  int64_t pool_size = 0;         // N
  int64_t k = 0;                 // rollouts per prompt
  int64_t n_all_correct = 0;     // c_j == K
  int64_t n_all_wrong = 0;       // c_j == 0
  double frac_zero_variance = 0; // (n_all_correct + n_all_wrong) / N; NaN for an empty pool
  std::string message;           // "" when something was kept; the reason otherwise
  bool empty() const { return kept.empty(); }
  // Throws ps::Error(message) when empty().
  void require_nonempty() const;
};

// n_correct[j] = correct completions of prompt j out of k. Throws ps::Error when k < 2 (1..k-1
// is then empty by construction) or a count lies outside [0, k] (naming the prompt index).
// An empty pool or a pool where nothing is kept returns empty() with the message
//   "the filter kept no prompt of N: all were solved by every or by no rollout; lower K, raise
//    temperature or disable the filter"   (N = 0: "the learnability filter got an empty prompt pool").
LearnabilityResult learnability_filter(const std::vector<int64_t>& n_correct, int64_t k);

// "natural" -> std::nullopt; a number in (0, 1) -> that rate; anything else throws ps::Error
// naming the field "positive_rate".
std::optional<double> parse_positive_rate(const std::string& s);

struct UpsampleResult {
  std::vector<int64_t> indices;  // the input indices in order, then the appended duplicates
  int64_t n_positive = 0;        // positives before
  int64_t n_negative = 0;
  int64_t n_added = 0;           // duplicates appended
  double rate_before = 0;        // P / (P + Q); NaN for an empty input
  double rate_after = 0;         // P' / (P' + Q); NaN for an empty input
  bool reached = true;           // false only when a rate was asked, positives are 0 and negatives > 0
};

// indices[j] has label labels[j] (0/1; same length, else ps::Error). `positive_rate` nullopt:
// natural (returned unchanged); otherwise in (0, 1) (else ps::Error). Deterministic in `seed`.
UpsampleResult upsample_positive_indices(const std::vector<int64_t>& indices, const std::vector<int>& labels,
                                         std::optional<double> positive_rate, uint64_t seed);

}  // namespace ps::train
