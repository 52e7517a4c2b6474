// Selective allocation: a greedy pass on every item; an item whose greedy confidence is below tau
// (selection_confidence: c of the parsed answer, 0 when unparsed) gets `inner` on top and takes
// its answer; the others keep the greedy answer. Token accounting includes the greedy pass:
//   tokens(item) = greedy tokens + (selected ? inner tokens : 0).
// tau = 0 selects nothing (pure greedy); tau = 1 selects every item not answered with c = 1.
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
  // items are generated for again.
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
// followed by the inner rounds.
TtcOutcome compose_selective(const TtcOutcome& greedy, const TtcOutcome& inner, double tau);

}  // namespace ps::ttc
