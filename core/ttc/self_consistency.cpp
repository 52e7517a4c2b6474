#include "ttc/self_consistency.h"

#include <algorithm>

#include "common/error.h"

namespace ps::ttc {

const char* to_string(Vote v) {
  switch (v) {
    case Vote::ConfidenceWeighted: return "weighted";
    case Vote::Majority: return "majority";
    case Vote::MeanPDE: return "mean";
  }
  return "?";
}

Vote vote_from_string(const std::string& s) {
  if (s == "weighted") return Vote::ConfidenceWeighted;
  if (s == "majority") return Vote::Majority;
  if (s == "mean") return Vote::MeanPDE;
  throw Error("unknown vote '" + s + "' (weighted | majority | mean)");
}

VoteResult aggregate(const std::vector<prompt::ParsedAnswer>& answers, Vote vote) {
  VoteResult r;
  double max_de = -1, max_not = -1, sum_pde = 0;
  const prompt::ParsedAnswer* first_failure = nullptr;
  for (const auto& a : answers) {
    if (!a.ok()) {
      if (!first_failure) first_failure = &a;
      continue;
    }
    sum_pde += a.p_de();
    if (a.de) {
      ++r.n_de;
      r.w_de += a.confidence;
      max_de = std::max(max_de, a.confidence);
    } else {
      ++r.n_not;
      r.w_not += a.confidence;
      max_not = std::max(max_not, a.confidence);
    }
  }
  const int64_t n = r.n_de + r.n_not;
  if (n == 0) {
    if (first_failure) r.answer = *first_failure;
    else {
      r.answer.failure = prompt::ParseFailure::NoJson;
      r.answer.detail = "no completions";
    }
    r.p_de = 0.5;
    return r;
  }
  // -1: not DE wins, +1: DE wins, 0: tie, by one criterion.
  auto cmp = [](double a, double b) { return a > b ? 1 : (a < b ? -1 : 0); };
  int winner = 0;
  switch (vote) {
    case Vote::ConfidenceWeighted:
      winner = cmp(r.w_de, r.w_not);
      if (!winner) winner = cmp(static_cast<double>(r.n_de), static_cast<double>(r.n_not));
      if (!winner) winner = cmp(max_de, max_not);
      r.p_de = r.w_de + r.w_not > 0 ? r.w_de / (r.w_de + r.w_not) : static_cast<double>(r.n_de) / n;
      break;
    case Vote::Majority:
      winner = cmp(static_cast<double>(r.n_de), static_cast<double>(r.n_not));
      if (!winner) winner = cmp(r.w_de, r.w_not);
      if (!winner) winner = cmp(max_de, max_not);
      r.p_de = static_cast<double>(r.n_de) / n;
      break;
    case Vote::MeanPDE:
      r.p_de = sum_pde / n;
      winner = r.p_de >= 0.5 ? 1 : -1;
      break;
  }
  r.answer.failure = prompt::ParseFailure::None;
  r.answer.de = winner > 0;
  r.answer.confidence = r.answer.de ? r.p_de : 1.0 - r.p_de;
  return r;
}

SelfConsistency::SelfConsistency(int64_t k, Vote vote) : k_(k), vote_(vote) {
  if (k < 1) throw Error("self-consistency: K must be >= 1 (got " + std::to_string(k) + ")");
}

std::vector<TtcOutcome> SelfConsistency::run(const std::vector<size_t>& items, const Sampler& sample) const {
  std::vector<TtcOutcome> out;
  if (items.empty()) return out;
  auto comps = sample(items, SampleRequest{k_, false, 1});
  if (comps.size() != items.size())
    throw Error("ttc sc: the sampler returned " + std::to_string(comps.size()) + " items for " + std::to_string(items.size()));
  for (auto& c : comps) {
    if (static_cast<int64_t>(c.size()) != k_)
      throw Error("ttc sc: the sampler returned " + std::to_string(c.size()) + " completions, not K = " + std::to_string(k_));
    TtcOutcome o;
    o.rounds.push_back(make_round("sample", std::move(c)));
    VoteResult v = aggregate(o.rounds.back().parsed, vote_);
    o.answer = v.answer;
    o.p_de = v.p_de;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace ps::ttc
