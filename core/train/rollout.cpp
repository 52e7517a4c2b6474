#include "train/rollout.h"

#include <chrono>

#include "common/error.h"

namespace ps::train {

RolloutBatch rollout(const Policy& policy, const std::vector<data::Item>& items, const std::vector<std::string>& prompts,
                     const RolloutOptions& opt, const RewardConfig& reward) {
  if (items.size() != prompts.size()) throw Error("rollout: items and prompts differ in number");
  if (opt.k < 1) throw Error("rollout: K must be >= 1");
  const auto t0 = std::chrono::steady_clock::now();
  RolloutBatch r;
  r.items = items;
  r.prompt_texts = prompts;
  r.k = opt.k;
  for (const auto& p : prompts) r.prompt_ids.push_back(policy.encode(p));
  const int64_t N = static_cast<int64_t>(items.size()), B = N * opt.k;
  lm::GenerationConfig g;
  g.max_new_tokens = opt.max_completion_length;
  g.temperature = opt.temperature;
  g.top_p = opt.top_p;
  g.top_k = opt.top_k;
  g.stop_ids = policy.stop_ids;
  g.vocab_limit = policy.tok.vocab_size();
  if (auto pad = policy.tok.token_id("<|endoftext|>")) g.pad_id = *pad;
  r.completions.resize(B);
  r.texts.resize(B);
  r.finish_reasons.resize(B);
  r.parsed.resize(B);
  const int64_t per_call = std::max<int64_t>(opt.k, (opt.batch_rows / opt.k) * opt.k);
  for (int64_t row0 = 0; row0 < B; row0 += per_call) {
    std::vector<std::vector<int64_t>> batch;
    for (int64_t row = row0; row < std::min(B, row0 + per_call); ++row) batch.push_back(r.prompt_ids[row / opt.k]);
    g.seed = opt.seed * 7919 + static_cast<uint64_t>(row0);
    auto gens = lm::generate(*policy.model, batch, g);
    for (size_t j = 0; j < gens.size(); ++j) {
      const int64_t row = row0 + static_cast<int64_t>(j);
      r.completions[row] = gens[j].ids;
      std::vector<int64_t> body = gens[j].ids;
      if (gens[j].finish_reason == "stop_id" && !body.empty()) body.pop_back();
      r.texts[row] = policy.decode(body, /*skip_special=*/false);
      r.finish_reasons[row] = gens[j].finish_reason;
      r.parsed[row] = prompt::parse_answer(r.texts[row], gens[j].finish_reason == "length");
      r.generated_tokens += gens[j].generated_tokens;
    }
  }
  std::vector<int> labels(B);
  for (int64_t row = 0; row < B; ++row) labels[row] = r.label(row);
  r.rewards = compute_rewards(reward, r.parsed, labels);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace ps::train
