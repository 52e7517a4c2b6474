// Rollouts: K completions per prompt from batched, KV-cached generation, their parsed answers
// and rewards. Rows are prompt-major: row = prompt_index · K + sample_index (advantage.h's layout).
//
// Dimension legend: N prompts, K completions per prompt, B = N·K rows, T completion tokens.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/perturbqa.h"
#include "lm/generate.h"
#include "prompt/answer_parser.h"
#include "train/policy.h"
#include "train/reward.h"

namespace ps::train {

struct RolloutBatch {
  std::vector<data::Item> items;                // [N]
  std::vector<std::string> prompt_texts;        // [N]
  std::vector<std::vector<int64_t>> prompt_ids; // [N]
  int64_t k = 0;
  std::vector<std::vector<int64_t>> completions;  // [B] generated ids (a final stop id included)
  std::vector<std::string> texts;               // [B] decoded (stop id removed)
  std::vector<std::string> finish_reasons;      // [B] stop_id | length
  std::vector<prompt::ParsedAnswer> parsed;     // [B]
  std::vector<RewardParts> rewards;             // [B]
  int64_t generated_tokens = 0;
  double seconds = 0;
  int64_t rows() const { return static_cast<int64_t>(completions.size()); }
  int label(int64_t row) const { return items[row / k].label; }
};

struct RolloutOptions {
  int64_t k = 8;
  double temperature = 1.0, top_p = 1.0;
  int64_t top_k = 0;
  int64_t max_completion_length = 256;
  int64_t batch_rows = 64;  // rows per generate() call (whole groups)
  uint64_t seed = 0;
};

// Generates K completions for each prompt and scores them with `reward`.
RolloutBatch rollout(const Policy& policy, const std::vector<data::Item>& items, const std::vector<std::string>& prompts,
                     const RolloutOptions& opt, const RewardConfig& reward);

}  // namespace ps::train
