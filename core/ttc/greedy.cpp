#include "ttc/greedy.h"

#include "common/error.h"

namespace ps::ttc {

TtcOutcome outcome_of_single(Round r) {
  if (r.completions.empty()) throw Error("ttc: a round without completions");
  TtcOutcome o;
  o.answer = r.parsed[0];
  o.p_de = o.answer.ok() ? o.answer.p_de() : 0.5;
  o.rounds.push_back(std::move(r));
  return o;
}

std::vector<TtcOutcome> Greedy::run(const std::vector<size_t>& items, const Sampler& sample) const {
  std::vector<TtcOutcome> out;
  if (items.empty()) return out;
  auto comps = sample(items, SampleRequest{1, true, 0});
  if (comps.size() != items.size()) throw Error("ttc greedy: the sampler returned " + std::to_string(comps.size()) +
                                                " items for " + std::to_string(items.size()));
  for (auto& c : comps) {
    if (c.size() != 1) throw Error("ttc greedy: the sampler returned " + std::to_string(c.size()) + " completions, not 1");
    out.push_back(outcome_of_single(make_round("greedy", std::move(c))));
  }
  return out;
}

}  // namespace ps::ttc
