#include "ttc/sweep.h"

#include <cmath>

#include "common/error.h"
#include "ttc/selective.h"

namespace ps::ttc {

namespace {
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
nlohmann::json ci(const metrics::Interval& i) { return {num(i.lo), num(i.hi)}; }
}  // namespace

nlohmann::json ScoredPoint::to_json() const {
  const auto& s = summary;
  const bool any = n > 0;
  return {{"name", name},
          {"selective", selective},
          {"tau", num(tau)},
          {"n", n},
          {"n_selected", n_selected},
          {"f1", any ? num(s.at_threshold.f1) : nullptr},
          {"f1_ci", any ? ci(s.f1_ci) : nlohmann::json(nullptr)},
          {"brier", any ? num(s.brier) : nullptr},
          {"brier_ci", any ? ci(s.brier_ci) : nlohmann::json(nullptr)},
          {"ece", any ? num(s.ece) : nullptr},
          {"ece_ci", any ? ci(s.ece_ci) : nlohmann::json(nullptr)},
          {"auroc_per_gene", any ? num(s.auroc_per_gene) : nullptr},
          {"auroc_per_gene_ci", any ? ci(s.auroc_per_gene_ci) : nlohmann::json(nullptr)},
          {"parse_rate", num(parse_rate)},
          {"tokens_per_item", num(tokens_per_item)},
          {"pareto", pareto}};
}

ScoredPoint score(const std::string& name, bool selective, double tau, const std::vector<TtcOutcome>& outcomes,
                  const std::vector<int>& labels, const std::vector<int>& groups, const metrics::SummaryOptions& opt) {
  if (labels.size() != outcomes.size() || groups.size() != outcomes.size())
    throw Error("ttc score: " + std::to_string(outcomes.size()) + " outcomes but " + std::to_string(labels.size()) +
                " labels and " + std::to_string(groups.size()) + " groups");
  ScoredPoint p;
  p.name = name;
  p.selective = selective;
  p.tau = tau;
  p.n = static_cast<int64_t>(outcomes.size());
  std::vector<double> probs;
  int64_t tokens = 0, parsed = 0;
  for (const auto& o : outcomes) {
    probs.push_back(o.answer.ok() ? o.p_de : 0.5);
    tokens += o.total_tokens();
    parsed += o.answer.ok();
    if (!selective || o.rounds.size() > 1) ++p.n_selected;
  }
  p.tokens_per_item = p.n ? static_cast<double>(tokens) / p.n : NAN;
  p.parse_rate = p.n ? static_cast<double>(parsed) / p.n : NAN;
  if (p.n) p.summary = metrics::summarize_binary(probs, labels, groups, opt);
  return p;
}

std::vector<double> default_taus() {
  std::vector<double> t;
  for (int i = 0; i <= 20; ++i) t.push_back(i / 20.0);
  return t;
}

void mark_pareto(std::vector<ScoredPoint>& points) {
  auto ok = [](const ScoredPoint& p) { return p.n > 0 && std::isfinite(p.tokens_per_item) && std::isfinite(p.summary.at_threshold.f1); };
  for (auto& p : points) {
    p.pareto = ok(p);
    if (!p.pareto) continue;
    for (const auto& q : points) {
      if (&q == &p || !ok(q)) continue;
      const double pf = p.summary.at_threshold.f1, qf = q.summary.at_threshold.f1;
      if (q.tokens_per_item <= p.tokens_per_item && qf >= pf && (q.tokens_per_item < p.tokens_per_item || qf > pf)) {
        p.pareto = false;
        break;
      }
    }
  }
}

std::vector<ScoredPoint> tau_sweep(const std::vector<TtcOutcome>& greedy,
                                   const std::vector<std::pair<std::string, std::vector<TtcOutcome>>>& uniform,
                                   const std::vector<double>& taus, const std::vector<int>& labels,
                                   const std::vector<int>& groups, const metrics::SummaryOptions& opt) {
  for (double t : taus) check_tau(t);
  std::vector<ScoredPoint> pts;
  pts.push_back(score("greedy", false, NAN, greedy, labels, groups, opt));
  for (const auto& [name, outs] : uniform) {
    if (name == "greedy") continue;
    if (outs.size() != greedy.size())
      throw Error("ttc sweep: strategy " + name + " has " + std::to_string(outs.size()) + " outcomes, greedy " +
                  std::to_string(greedy.size()));
    pts.push_back(score(name, false, NAN, outs, labels, groups, opt));
  }
  for (const auto& [name, outs] : uniform) {
    if (name == "greedy") continue;
    for (double t : taus) {
      std::vector<TtcOutcome> sel;
      sel.reserve(greedy.size());
      for (size_t i = 0; i < greedy.size(); ++i) sel.push_back(compose_selective(greedy[i], outs[i], t));
      pts.push_back(score(name, true, t, sel, labels, groups, opt));
    }
  }
  mark_pareto(pts);
  return pts;
}

}  // namespace ps::ttc
