// A ttc::Sampler over a language model: batched, KV-cached lm::generate of each item's prompt ids.
// Greedy requests use temperature 0; sampled requests use `temperature`/`top_p`/`top_k`, K rows per
// item (prompt-major), up to `batch_rows` rows per generate() call. The seed of a call is
// seed + 1000003·round + first row, so rounds and batches draw differently and a rerun is identical.
#pragma once
#include <cstdint>
#include <vector>

#include "lm/generate.h"
#include "lm/model.h"
#include "ttc/strategy.h"

namespace ps::ttc {

struct LmSamplerOptions {
  int64_t max_new_tokens = 160;   // tokens per completion (default: eval's)
  double temperature = 1.0;       // of sampled requests (> 0)
  double top_p = 1.0;             // (0, 1]
  int64_t top_k = 0;              // 0: off
  int64_t batch_rows = 32;        // rows per generate() call, >= 1
  uint64_t seed = 1;
  std::vector<int64_t> stop_ids;  // the policy's
  int64_t pad_id = 0;
  int64_t vocab_limit = 0;        // the tokenizer's vocabulary size (lm::GenerationConfig)
  void validate() const;          // ps::Error naming the field
};

// `prompts` [N] token ids; `decode` turns ids (stop id removed) into the text the parser reads
// (special tokens kept). Model and prompts must outlive the sampler.
Sampler lm_sampler(const lm::Model& model, const std::vector<std::vector<int64_t>>& prompts, lm::Decoder decode,
                   const LmSamplerOptions& opt);

}  // namespace ps::ttc
