#include "train/stage_eval.h"

#include <algorithm>

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
    rec.predictions(r);
    out[set] = std::move(r);
    f += per;
  }
  return out;
}

}  // namespace ps::train
