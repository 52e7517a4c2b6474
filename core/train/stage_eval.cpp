#include "train/stage_eval.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "metrics/paired.h"

namespace ps::train {

std::vector<std::string> policy_prompts(const TaskData& td, const std::vector<data::Item>& items,
                                        const prompt::PromptConfig& pc, const tokenizer::Tokenizer& tok) {
  auto ev = td.evidence(items);
  prompt::TokenCounter count = [&](const std::string& s) { return tok.encode(s).size(); };
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& e : ev) out.push_back(prompt::build_prompt(e, pc, count).text);
  return out;
}

void validation_pass(const Policy& policy, const TaskData& td, const prompt::PromptConfig& pc, const EvalConfig& ec,
                     uint64_t seed, Recorder& rec, int64_t step) {
  const auto& val = td.sets().val;
  std::vector<data::Item> items(val.begin(), val.begin() + std::min<size_t>(val.size(), ec.during_training_items));
  if (items.empty()) return;
  EvalConfig quick = ec;
  quick.bootstrap = std::min<int64_t>(quick.bootstrap, 200);
  jobs::JobContext quiet;
  rec.log_eval(step, "val", evaluate_policy(policy, items, policy_prompts(td, items, pc, policy.tok), quick, seed, "val", quiet));
}

EvalResult knn_kg_reference(const TaskData& td, EvalResult& r, int64_t bootstrap, uint64_t seed) {
  std::vector<data::Item> items;
  items.reserve(r.items.size());
  for (const auto& it : r.items) items.push_back(it.item);
  const auto ev = td.evidence(items);
  std::vector<EvalItem> ref(items.size());
  std::vector<double> pa, pb;
  std::vector<int> labels, groups;
  std::map<std::string, int> gid;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = ev[i];
    // As the evidence teacher answers (teach/evidence_teacher.cpp): KNN-KG's P(DE), else Y's rate.
    const double p = !std::isnan(e.knn_probability) ? e.knn_probability
                     : !std::isnan(e.target_de_rate) ? e.target_de_rate : 0.14;
    ref[i].item = items[i];
    ref[i].parsed.de = p >= 0.5;
    ref[i].parsed.confidence = p >= 0.5 ? p : 1.0 - p;
    pa.push_back(r.items[i].p_de);
    pb.push_back(p);
    labels.push_back(items[i].label);
    groups.push_back(gid.emplace(items[i].cell_line + "|" + items[i].gene, static_cast<int>(gid.size())).first->second);
  }
  EvalResult k = summarize_eval(std::move(ref), r.set + "/knn_kg", bootstrap, seed);
  k.parse_rate = NAN;
  k.tokens_per_item = NAN;
  nlohmann::json j = k.to_json();
  for (const char* drop : {"parse_rate", "parse_failures", "tokens_per_item", "seconds", "reliability", "set"}) j.erase(drop);
  j["predictor"] = "knn_kg";
  metrics::PairedOptions po;
  po.resamples = static_cast<int>(bootstrap);
  po.seed = seed;
  auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  nlohmann::json paired = nlohmann::json::array();
  if (!items.empty()) {
    for (const auto& d : metrics::paired_differences(pb, pa, labels, groups, po))
      paired.push_back({{"metric", d.metric}, {"policy", num(d.b)}, {"knn_kg", num(d.a)}, {"diff", num(d.diff)},
                        {"diff_ci", bootstrap > 0 ? nlohmann::json{num(d.ci.lo), num(d.ci.hi)}
                                                  : nlohmann::json{nullptr, nullptr}}});
  }
  j["paired"] = paired;
  r.reference = j;
  return k;
}

std::map<std::string, EvalResult> evaluate_sets(const Policy& policy, const TaskData& td, const prompt::PromptConfig& pc,
                                                const EvalConfig& ec, uint64_t seed, Recorder& rec, int64_t step,
                                                jobs::JobContext& ctx, double f0, double f1) {
  std::map<std::string, EvalResult> out;
  const double per = (f1 - f0) / std::max<size_t>(1, ec.sets.size());
  double f = f0;
  for (const auto& set : ec.sets) {
    const auto& items = td.sets().get(set);
    if (items.empty()) continue;
    ctx.report(f, "evaluating on " + set);
    auto r = evaluate_policy(policy, items, policy_prompts(td, items, pc, policy.tok), ec, seed, set, ctx, f, f + per);
    rec.log_eval(step, set, r);
    rec.log_eval(step, set + "/knn_kg", knn_kg_reference(td, r, ec.bootstrap, seed));
    rec.predictions(r);
    out[set] = std::move(r);
    f += per;
  }
  return out;
}

void add_eval_sets(nlohmann::json& j, const std::map<std::string, EvalResult>& evals) {
  nlohmann::json sets = nlohmann::json::object();
  for (const auto& [name, r] : evals) {
    nlohmann::json e = r.to_json();
    e.erase("reliability");
    sets[name] = e;
  }
  for (const char* name : {"val", "heldout", "ttc_val"}) {
    if (!sets.contains(name)) continue;
    for (auto it = sets[name].begin(); it != sets[name].end(); ++it)
      if (!j.contains(it.key())) j[it.key()] = it.value();
    break;
  }
  j["sets"] = sets;
}

}  // namespace ps::train
