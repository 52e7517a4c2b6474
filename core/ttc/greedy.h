// Greedy: one greedy completion per item; its parsed answer is the final answer,
// P(DE) = c if de else 1 − c (0.5 when unparsed). Tokens = that completion's tokens.
#pragma once
#include "ttc/strategy.h"

namespace ps::ttc {

class Greedy : public Strategy {
 public:
  std::string name() const override { return "greedy"; }
  std::vector<TtcOutcome> run(const std::vector<size_t>& items, const Sampler& sample) const override;
};

// The outcome of one round whose first completion is the answer (greedy and its reuse).
TtcOutcome outcome_of_single(Round r);

}  // namespace ps::ttc
