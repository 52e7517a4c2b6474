#include "train/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "common/error.h"
#include "lm/generate.h"
#include "store/store.h"
#include "train/task_data.h"

namespace ps::train {

namespace {
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
nlohmann::json ci(const metrics::Interval& i, int resamples) {
  if (resamples <= 0) return {nullptr, nullptr};  // no bootstrap: the interval is undefined, not [0, 0]
  return {num(i.lo), num(i.hi)};
}
}  // namespace

nlohmann::json EvalResult::to_json() const {
  const auto& s = summary;
  nlohmann::json j = {{"set", set},
                      {"n", static_cast<int64_t>(items.size())},
                      {"parse_rate", num(parse_rate)},
                      {"f1", num(s.at_threshold.f1)},
                      {"f1_ci", ci(s.f1_ci, s.bootstrap_resamples)},
                      {"precision", num(s.at_threshold.precision)},
                      {"recall", num(s.at_threshold.recall)},
                      {"brier", num(s.brier)},
                      {"brier_ci", ci(s.brier_ci, s.bootstrap_resamples)},
                      {"ece", num(s.ece)},
                      {"ece_ci", ci(s.ece_ci, s.bootstrap_resamples)},
                      {"auroc_per_gene", num(s.auroc_per_gene)},
                      {"auroc_per_gene_ci", ci(s.auroc_per_gene_ci, s.bootstrap_resamples)},
                      {"auroc_pooled", num(s.auroc_pooled)},
                      {"n_positive", s.n_positive},
                      {"genes_used", s.genes_used},
                      {"tokens_per_item", num(tokens_per_item)},
                      {"seconds", seconds}};
  j["parse_failures"] = failures;
  if (!reference.is_null()) j["knn_kg"] = reference;
  j["reliability"] = nlohmann::json::parse(metrics::to_json(s)).value("reliability", nlohmann::json::array());
  return j;
}

EvalResult summarize_eval(std::vector<EvalItem> items, const std::string& set_name, int64_t bootstrap, uint64_t seed) {
  EvalResult r;
  r.set = set_name;
  std::vector<double> probs;
  std::vector<int> labels, groups;
  std::map<std::string, int> group_ids;
  int64_t parsed = 0, tokens = 0;
  for (auto& it : items) {
    it.p_de = it.parsed.ok() ? it.parsed.p_de() : 0.5;
    if (it.parsed.ok()) ++parsed;
    else ++r.failures[prompt::to_string(it.parsed.failure)];
    tokens += it.completion_tokens;
    probs.push_back(it.p_de);
    labels.push_back(it.item.label);
    groups.push_back(group_ids.emplace(it.item.cell_line + "|" + it.item.gene, static_cast<int>(group_ids.size())).first->second);
  }
  const double n = static_cast<double>(items.size());
  r.parse_rate = items.empty() ? NAN : parsed / n;
  r.tokens_per_item = items.empty() ? NAN : tokens / n;
  metrics::SummaryOptions so;
  so.bootstrap_resamples = static_cast<int>(bootstrap);
  so.seed = seed;
  if (!items.empty()) r.summary = metrics::summarize_binary(probs, labels, groups, so);
  r.items = std::move(items);
  return r;
}

EvalResult evaluate_policy(const Policy& policy, const std::vector<data::Item>& items,
                           const std::vector<std::string>& prompts, const EvalConfig& cfg, uint64_t seed,
                           const std::string& set_name, jobs::JobContext& ctx, double f0, double f1) {
  if (items.size() != prompts.size()) throw Error("evaluation: items and prompts differ in number");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<EvalItem> out(items.size());
  std::vector<std::vector<int64_t>> ids(items.size());
  const int64_t ctx_len = policy.model->config().max_position_embeddings;
  for (size_t i = 0; i < items.size(); ++i) {
    out[i].item = items[i];
    out[i].prompt = prompts[i];
    ids[i] = policy.encode(prompts[i]);
    out[i].prompt_tokens = static_cast<int64_t>(ids[i].size());
    if (out[i].prompt_tokens + cfg.max_new_tokens > ctx_len)
      throw Error("evaluation: the prompt of " + item_key(items[i]) + " has " + std::to_string(out[i].prompt_tokens) +
                  " tokens; with eval.max_new_tokens " + std::to_string(cfg.max_new_tokens) +
                  " it exceeds the model's context of " + std::to_string(ctx_len));
  }
  // Similar lengths batched together (less padding); results land in the original order.
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  lm::GenerationConfig g;
  g.max_new_tokens = cfg.max_new_tokens;
  g.temperature = cfg.temperature;
  g.top_p = cfg.top_p;
  g.top_k = cfg.top_k;
  g.stop_ids = policy.stop_ids;
  g.vocab_limit = policy.tok.vocab_size();
  if (auto pad = policy.tok.token_id("<|endoftext|>")) g.pad_id = *pad;
  const size_t B = static_cast<size_t>(cfg.batch_size);
  for (size_t b0 = 0; b0 < order.size(); b0 += B) {
    ctx.check_cancelled();
    std::vector<std::vector<int64_t>> batch;
    for (size_t k = b0; k < std::min(order.size(), b0 + B); ++k) batch.push_back(ids[order[k]]);
    g.seed = seed + b0;
    auto gens = lm::generate(*policy.model, batch, g);
    for (size_t k = 0; k < gens.size(); ++k) {
      EvalItem& e = out[order[b0 + k]];
      std::vector<int64_t> body = gens[k].ids;
      if (gens[k].finish_reason == "stop_id" && !body.empty()) body.pop_back();
      e.completion = policy.decode(body, /*skip_special=*/false);
      e.completion_tokens = gens[k].generated_tokens;
      e.finish_reason = gens[k].finish_reason;
      e.parsed = prompt::parse_answer(e.completion, e.finish_reason == "length");
    }
    const double done = static_cast<double>(std::min(order.size(), b0 + B)) / order.size();
    ctx.report(f0 + (f1 - f0) * done, set_name + ": " + std::to_string(std::min(order.size(), b0 + B)) + "/" +
                                         std::to_string(order.size()) + " items");
  }
  EvalResult r = summarize_eval(std::move(out), set_name, cfg.bootstrap, seed);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

void store_eval_predictions(store::Store& st, int64_t run_id, const EvalResult& r) {
  std::vector<store::Prediction> preds;
  preds.reserve(r.items.size());
  for (const auto& e : r.items) {
    store::Prediction p;
    p.item_key = item_key(e.item);
    p.cell_line = e.item.cell_line;
    p.perturber = e.item.pert;
    p.target = e.item.gene;
    p.label = e.item.label;
    p.prediction = e.parsed.ok() ? (e.parsed.de ? 1.0 : 0.0) : NAN;
    p.confidence = e.p_de;
    p.tokens = e.completion_tokens;
    p.trace = e.completion;
    p.prompt = e.prompt;
    p.parse_failure = e.parsed.ok() ? "" : prompt::to_string(e.parsed.failure);
    p.details_json = nlohmann::json({{"set", r.set},
                                     {"finish_reason", e.finish_reason},
                                     {"prompt_tokens", e.prompt_tokens},
                                     {"confidence", e.parsed.ok() ? nlohmann::json(e.parsed.confidence) : nlohmann::json(nullptr)},
                                     {"parse_detail", e.parsed.detail}})
                         .dump();
    preds.push_back(std::move(p));
  }
  st.add_predictions(run_id, preds);
}

}  // namespace ps::train
