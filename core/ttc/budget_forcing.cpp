#include "ttc/budget_forcing.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "ttc/selective.h"

namespace ps::ttc {

void BudgetForcingConfig::validate() const {
  if (!(std::isfinite(tau) && tau >= 0 && tau <= 1))
    throw Error("budget forcing: tau must be in [0, 1] (got " + std::to_string(tau) + ")");
  if (max_rounds < 1) throw Error("budget forcing: max_rounds must be >= 1 (got " + std::to_string(max_rounds) + ")");
  if (thinking_token_budget < 1)
    throw Error("budget forcing: thinking_token_budget must be >= 1 (got " + std::to_string(thinking_token_budget) + ")");
  if (cue.empty()) throw Error("budget forcing: cue must not be empty");
  if (group_size < 1) throw Error("budget forcing: group_size must be >= 1 (got " + std::to_string(group_size) + ")");
}

BudgetForcing::BudgetForcing(BudgetForcingConfig config) : config_(std::move(config)) { config_.validate(); }

std::vector<TtcOutcome> BudgetForcing::run_selective(const std::vector<size_t>& items, double tau,
                                                     const Sampler& sample) const {
  check_tau(tau);
  BudgetForcingConfig c = config_;
  c.tau = tau;
  return BudgetForcing(c).run(items, sample);
}

namespace {

double confidence_of(const Round& r) { return r.parsed[0].ok() ? r.parsed[0].confidence : 0.0; }

void set_answer(TtcOutcome& o) {
  o.answer = o.rounds.back().parsed[0];
  o.p_de = o.answer.ok() ? o.answer.p_de() : 0.5;
}

std::vector<Completion> one_each(std::vector<std::vector<Completion>> comps, size_t n, const char* what) {
  if (comps.size() != n)
    throw Error(std::string("ttc bf: the sampler returned ") + std::to_string(comps.size()) + " items for " +
                std::to_string(n) + " (" + what + ")");
  std::vector<Completion> out;
  for (auto& c : comps) {
    if (c.size() != 1)
      throw Error(std::string("ttc bf: the sampler returned ") + std::to_string(c.size()) + " completions, not 1 (" + what + ")");
    out.push_back(std::move(c[0]));
  }
  return out;
}

}  // namespace

std::vector<TtcOutcome> BudgetForcing::run(const std::vector<size_t>& items, const Sampler& sample) const {
  std::vector<TtcOutcome> out(items.size());
  const size_t G = static_cast<size_t>(config_.group_size);
  for (size_t g0 = 0; g0 < items.size(); g0 += G) {
    const size_t g1 = std::min(items.size(), g0 + G);
    const std::vector<size_t> group(items.begin() + g0, items.begin() + g1);
    SampleRequest keep;
    keep.mode = SampleRequest::Mode::Keep;
    auto first = one_each(sample(group, keep), group.size(), "greedy pass");
    std::vector<int64_t> thought(group.size(), 0);  // thinking tokens spent per item
    std::vector<size_t> live;                       // positions in `group` still below tau
    for (size_t i = 0; i < group.size(); ++i) {
      TtcOutcome& o = out[g0 + i];
      thought[i] = first[i].thinking_tokens;
      o.rounds.push_back(make_round("greedy", {std::move(first[i])}));
      set_answer(o);
      if (confidence_of(o.rounds.back()) < config_.tau) live.push_back(i);
    }
    for (int64_t r = 1; r <= config_.max_rounds && !live.empty(); ++r) {
      SampleRequest req;
      req.mode = SampleRequest::Mode::Continue;
      req.round = r;
      std::vector<size_t> go, ask;
      for (size_t i : live) {
        const TtcOutcome& o = out[g0 + i];
        const int64_t left = config_.thinking_token_budget - thought[i];
        Continuation c;
        c.cue = config_.cue;
        if (left > 0) {
          c.think_tokens = left;
        } else if (o.rounds.back().completions[0].text.find("</think>") == std::string::npos) {
          c.force_answer = true;  // the budget is spent and the thinking never closed: answer now
        } else {
          continue;  // the budget is spent and an answer stands: it stays
        }
        go.push_back(i);
        ask.push_back(group[i]);
        req.cont.push_back(c);
      }
      if (go.empty()) break;
      auto comps = one_each(sample(ask, req), ask.size(), "continuation");
      std::vector<size_t> next;
      for (size_t j = 0; j < go.size(); ++j) {
        const size_t i = go[j];
        TtcOutcome& o = out[g0 + i];
        thought[i] += comps[j].thinking_tokens;
        o.rounds.push_back(make_round(req.cont[j].force_answer ? "forced" : "wait", {std::move(comps[j])}));
        set_answer(o);
        if (confidence_of(o.rounds.back()) < config_.tau) next.push_back(i);
      }
      live = std::move(next);
    }
    SampleRequest release;
    release.mode = SampleRequest::Mode::Release;
    sample({}, release);
  }
  return out;
}

}  // namespace ps::ttc
