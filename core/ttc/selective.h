// Selective allocation: a greedy pass on every item; an item whose greedy confidence is below tau
// (selection_confidence: c of the parsed answer, 0 when unparsed) gets `inner` on top and takes
// its answer; the others keep the greedy answer. Token accounting includes the greedy pass:
//   tokens(item) = greedy tokens + (selected ? inner tokens : 0).
// tau = 0 selects nothing (pure greedy); tau = 1 selects every item not answered with c = 1.
// Budget forcing (budget_forcing.h) continues the greedy pass instead of adding to it: its outcome's
// first round is that greedy round, and at tau it keeps only its rounds up to the first one whose
// confidence reaches tau (compose_selective); Selective::run then runs it at tau (run_selective).
#pragma once
#include <memory>

#include "ttc/strategy.h"

namespace ps::ttc {

class Selective : public Strategy {
 public:
  // tau in [0, 1] and inner non-null (ps::Error otherwise).
  Selective(std::shared_ptr<const Strategy> inner, double tau);
  std::string name() const override { return "selective-" + inner_->name(); }
  std::vector<TtcOutcome> run(const std::vector<size_t>& items, const Sampler& sample) const override;
  // As run(), from greedy outcomes already computed for `items` (same order): only the selected
  // items are generated for again. (Budget forcing repeats the selected items' greedy pass as its
  // round 0, the same tokens, because it continues from their KV caches; run() avoids that.)
  std::vector<TtcOutcome> extend(const std::vector<size_t>& items, std::vector<TtcOutcome> greedy,
                                 const Sampler& sample) const;
  double tau() const { return tau_; }

 private:
  std::shared_ptr<const Strategy> inner_;
  double tau_;
};

// Validates tau (ps::Error naming the value when outside [0, 1] or not finite).
void check_tau(double tau);
// Whether an item with this greedy outcome gets extra compute at tau.
bool selected(const TtcOutcome& greedy, double tau);
// The selective outcome from a greedy outcome and the inner strategy's outcome on the same item:
// the greedy outcome when not selected; else the inner answer and P(DE) with the greedy round
// followed by the inner rounds. An inner outcome whose first round is a "greedy" round continues the
// greedy pass (budget forcing): then the result is continued_at_tau(inner, tau).
TtcOutcome compose_selective(const TtcOutcome& greedy, const TtcOutcome& inner, double tau);
// An outcome of rounds that each end in one answer (budget forcing, run at tau = 1), as if it had
// stopped at tau: its rounds up to the first whose answer's confidence (0 when unparsed) is >= tau
// (all of them when none is), the final answer that round's.
TtcOutcome continued_at_tau(const TtcOutcome& o, double tau);

}  // namespace ps::ttc
