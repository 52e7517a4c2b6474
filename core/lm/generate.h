// Batched autoregressive generation with a KV cache.
// Prompts of different lengths are left-padded into one [B, L] batch; the attention mask hides
// the padding and each row's positions count only its real tokens (position = cumsum(mask) − 1,
// as HF generate() does), so a row's tokens are the same as when it runs alone (greedy; when
// sampling, one generator serves the whole batch: the same prompts, batch and seed give the
// same tokens).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lm/model.h"

namespace ps::lm {

struct GenerationConfig {
  int64_t max_new_tokens = 64;
  double temperature = 0.0;             // <= 0: greedy
  double top_p = 1.0;
  int64_t top_k = 0;                    // 0: off
  uint64_t seed = 0;
  std::vector<int64_t> stop_ids;        // a row ends after emitting one (the id is kept in ids)
  std::vector<std::string> stop_strings;  // needs a decoder; the text is cut before the match
  int64_t pad_id = 0;                   // fills left padding (never attended to)
  bool use_adapter = true;              // false: generate with the base model under an attached adapter
  int64_t vocab_limit = 0;              // > 0: only ids below it are sampled (embedding rows past the
                                        // tokenizer's ids are padding, e.g. a vocabulary rounded up to 64)
};

// Token ids -> text (the tokenizer's decode). Optional: without it, text stays empty and
// stop strings cannot be used.
using Decoder = std::function<std::string(const std::vector<int64_t>&)>;

struct Generation {
  std::vector<int64_t> prompt_ids;
  std::vector<int64_t> ids;        // generated tokens only (including a final stop id, if any)
  std::vector<float> logprobs;     // log p(ids[t] | prefix) under softmax(logits / T), one per id
  std::string text;                // decode(ids) without the stop id, cut at a stop string
  std::string finish_reason;       // "stop_id", "stop_string" or "length"
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
};

struct GenerationStats {
  int64_t batch = 0;
  int64_t prefill_tokens = 0;   // real prompt tokens (padding excluded)
  double prefill_seconds = 0;
  int64_t decode_steps = 0;     // forward passes of one new token per row
  double decode_seconds = 0;    // including sampling
  int64_t generated_tokens = 0; // over all rows
  double prefill_tokens_per_second() const { return prefill_seconds > 0 ? prefill_tokens / prefill_seconds : 0; }
  double decode_tokens_per_second() const { return decode_seconds > 0 ? decode_steps * batch / decode_seconds : 0; }
};

std::vector<Generation> generate(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                 const GenerationConfig& config, const Decoder& decode = {},
                                 GenerationStats* stats = nullptr);

}  // namespace ps::lm
