#include "ttc/selective.h"

#include <cmath>

#include "common/error.h"
#include "ttc/greedy.h"

namespace ps::ttc {

void check_tau(double tau) {
  if (!(std::isfinite(tau) && tau >= 0 && tau <= 1))
    throw Error("ttc: tau must be in [0, 1] (got " + std::to_string(tau) + ")");
}

bool selected(const TtcOutcome& greedy, double tau) { return selection_confidence(greedy) < tau; }

TtcOutcome continued_at_tau(const TtcOutcome& o, double tau) {
  TtcOutcome out;
  for (const auto& r : o.rounds) {
    if (r.completions.empty()) throw Error("ttc: a round without completions");
    out.rounds.push_back(r);
    out.answer = r.parsed[0];
    out.p_de = out.answer.ok() ? out.answer.p_de() : 0.5;
    if ((out.answer.ok() ? out.answer.confidence : 0.0) >= tau) break;
  }
  return out;
}

TtcOutcome compose_selective(const TtcOutcome& greedy, const TtcOutcome& inner, double tau) {
  if (!selected(greedy, tau)) return greedy;
  if (!inner.rounds.empty() && inner.rounds[0].kind == "greedy") return continued_at_tau(inner, tau);
  TtcOutcome o;
  o.answer = inner.answer;
  o.p_de = inner.p_de;
  o.rounds = greedy.rounds;
  o.rounds.insert(o.rounds.end(), inner.rounds.begin(), inner.rounds.end());
  return o;
}

Selective::Selective(std::shared_ptr<const Strategy> inner, double tau) : inner_(std::move(inner)), tau_(tau) {
  if (!inner_) throw Error("ttc selective: no inner strategy");
  check_tau(tau);
}

std::vector<TtcOutcome> Strategy::run_selective(const std::vector<size_t>& items, double tau,
                                                const Sampler& sample) const {
  check_tau(tau);
  return Selective(std::shared_ptr<const Strategy>(this, [](const Strategy*) {}), tau)
      .extend(items, Greedy().run(items, sample), sample);
}

std::vector<TtcOutcome> Selective::run(const std::vector<size_t>& items, const Sampler& sample) const {
  return inner_->run_selective(items, tau_, sample);
}

std::vector<TtcOutcome> Selective::extend(const std::vector<size_t>& items, std::vector<TtcOutcome> out,
                                          const Sampler& sample) const {
  if (out.size() != items.size()) throw Error("ttc selective: greedy outcomes and items differ in number");
  std::vector<size_t> pick, pos;
  for (size_t i = 0; i < out.size(); ++i)
    if (selected(out[i], tau_)) {
      pick.push_back(items[i]);
      pos.push_back(i);
    }
  if (pick.empty()) return out;
  auto extra = inner_->run(pick, sample);
  if (extra.size() != pick.size()) throw Error("ttc selective: the inner strategy returned a wrong number of outcomes");
  for (size_t j = 0; j < pick.size(); ++j) out[pos[j]] = compose_selective(out[pos[j]], extra[j], tau_);
  return out;
}

}  // namespace ps::ttc
