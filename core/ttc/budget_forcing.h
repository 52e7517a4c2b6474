// Budget forcing (Muennighoff et al. 2025, "s1: Simple test-time scaling", simplescaling/s1), adapted
// to calibration: extra thinking only where the policy is unsure.
//
//   round 0:  the greedy pass (as Greedy), the item's sequence and KV cache kept (SampleRequest Keep).
//   round r:  while the last answer's confidence c < tau (0 when unparsed) and r <= max_rounds:
//             the sequence is cut back to just before "</think>" (the answer dropped, the reasoning
//             kept, the KV cache rolled back to it, not recomputed), the cue "Wait," appended, and the
//             model thinks on (SampleRequest Continue, kind "wait"), for at most the budget left:
//               left = thinking_token_budget − Σ thinking tokens of the earlier rounds (round 0 included).
//             When the new thinking reaches `left` without "</think>", "</think>\n" is forced and the
//             model answers (s1's cap); when it ends its turn inside the thinking, the stop id is
//             dropped and "</think>\n" appended (s1 appends the delimiter when thinking stops). With nothing left, an item whose response never closed its
//             thinking gets "</think>\n" forced at once (kind "forced"); one that did keeps its answer.
//   final:    the last round's answer and P(DE) (c if DE else 1 − c; 0.5 when unparsed).
//
// s1 appends its "Wait" whenever the model stops thinking, a fixed number of times; here the number of
// rounds follows the calibrated confidence. tau = 1 continues every item not answered with c = 1, up
// to the cap: the uniform strategy. Its rounds at any smaller tau are the rounds up to the first whose
// confidence reaches tau (selective.h, continued_at_tau), because each round's greedy continuation
// depends only on the item's own sequence; so one run at tau = 1 gives the whole tau sweep.
//
// Token accounting (strategy.h): tokens = generated tokens of every round (round 0 included; the cue
// and forced tokens are appended, counted as appended_tokens, not as tokens); thinking tokens per round
// in Completion::thinking_tokens. Every round's completion (the whole response) is kept for the trace review.
// Items are processed in groups of group_size: their sequences and KV caches are held together.
#pragma once
#include <cstdint>
#include <string>

#include "ttc/strategy.h"

namespace ps::ttc {

struct BudgetForcingConfig {
  double tau = 1.0;                     // continue while the confidence is below tau, in [0, 1] (1: uniform)
  int64_t max_rounds = 2;               // continuation rounds after the greedy pass, >= 1
  int64_t thinking_token_budget = 256;  // generated thinking tokens per item over all rounds, >= 1
  std::string cue = "Wait,";            // appended after the kept reasoning (s1: "Wait"); not empty
  int64_t group_size = 32;              // items whose sequences (KV caches) are held at once, >= 1
  void validate() const;                // ps::Error naming the field and its value
};

class BudgetForcing : public Strategy {
 public:
  explicit BudgetForcing(BudgetForcingConfig config = {});  // validates
  std::string name() const override { return "bf"; }
  std::vector<TtcOutcome> run(const std::vector<size_t>& items, const Sampler& sample) const override;
  // Budget forcing at `tau` (the selective wrapper's tau replaces the config's).
  std::vector<TtcOutcome> run_selective(const std::vector<size_t>& items, double tau,
                                        const Sampler& sample) const override;
  const BudgetForcingConfig& config() const { return config_; }

 private:
  BudgetForcingConfig config_;
};

}  // namespace ps::ttc
