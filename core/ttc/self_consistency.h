// Self-consistency (Wang et al. 2023, "Self-Consistency Improves Chain of Thought Reasoning"):
// K sampled completions per item, their parsed answers aggregated by a vote. Unparsed samples
// do not vote. With W_x = Σ c_i over parsed samples answering x ∈ {DE, not DE}, n_x their count:
//
//   ConfidenceWeighted (default): the answer with the larger W_x wins; ties by n_x, then by the
//                 highest single confidence, then "not DE" (the majority class of PerturbQA).
//                 Aggregate P(DE) = W_DE / (W_DE + W_notDE)  (the confidence-weighted vote share of
//                 DE; when every confidence is 0 it falls back to n_DE / (n_DE + n_notDE)).
//   Majority:     the answer with the larger n_x wins; ties by W_x, then the highest single
//                 confidence, then "not DE". Aggregate P(DE) = n_DE / (n_DE + n_notDE).
//   MeanPDE:      aggregate P(DE) = mean of the samples' P(DE) (c if DE else 1 − c); the answer is
//                 DE when it is >= 0.5.
//
// The final answer's confidence is P(DE) if it says DE, else 1 − P(DE): the winner's share, so it is
// >= 0.5 under every vote (exactly 0.5 after a tie).
// No parsed sample: the answer is unparsed (the first sample's failure), P(DE) = 0.5.
// Tokens: all K completions.
#pragma once
#include "ttc/strategy.h"

namespace ps::ttc {

enum class Vote { ConfidenceWeighted, Majority, MeanPDE };
const char* to_string(Vote v);              // "weighted", "majority", "mean"
Vote vote_from_string(const std::string& s);  // ps::Error naming the accepted values

struct VoteResult {
  prompt::ParsedAnswer answer;   // de and confidence of the winner (ok() false when nothing parsed)
  double p_de = 0.5;
  int64_t n_de = 0, n_not = 0;   // parsed votes
  double w_de = 0, w_not = 0;    // summed confidences
};

// The vote over parsed answers (unparsed ones are skipped).
VoteResult aggregate(const std::vector<prompt::ParsedAnswer>& answers, Vote vote);

class SelfConsistency : public Strategy {
 public:
  // k >= 1 (ps::Error otherwise).
  explicit SelfConsistency(int64_t k = 8, Vote vote = Vote::ConfidenceWeighted);
  std::string name() const override { return "sc"; }
  std::vector<TtcOutcome> run(const std::vector<size_t>& items, const Sampler& sample) const override;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
  Vote vote_;
};

}  // namespace ps::ttc
