// A ttc::Sampler over a language model: batched, KV-cached lm::generate of each item's prompt ids.
// Greedy requests use temperature 0; sampled requests use `temperature`/`top_p`/`top_k`, K rows per
// item (prompt-major), up to `batch_rows` rows per generate() call. The seed of a call is
// seed + 1000003·round + first row, so rounds and batches draw differently and a rerun is identical.
//
// Budget forcing (strategy.h, SampleRequest modes): a Keep request generates like a greedy one through
// lm::SequenceBatch (batch_rows rows per batch) and holds the batches; Continue requests cut each
// item's row back to its kept reasoning (SequenceBatch::truncate: the KV cache rolled back), append
// encode(cue) and think with "</think>" as an extra stop id for at most think_tokens tokens (fewer when
// the context would not hold the answer), then, in a second call on the same cache, the answer: after
// a generated "</think>" as is; after "</think>" + encode("\n") appended when the thinking ran out of
// budget (Completion::forced) or ended the turn with a stop id (which is dropped; s1 appends the
// delimiter when thinking stops). The answer gets up to max_new_tokens tokens. Release drops the batches.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
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
  int64_t think_end_id = -1;      // the "</think>" token; < 0: none (Continue requests are refused);
                                  // when known, every completion's thinking_tokens is filled
  // Called after each generate() call of a Fresh/Keep request with the rows done and the request's
  // rows (rows = items x K): progress within a long round; it may throw (jobs::Cancelled) to stop.
  std::function<void(int64_t rows_done, int64_t rows_total)> on_batch;
  void validate() const;          // ps::Error naming the field
};

// Text -> token ids (the tokenizer's encode, no special-token parsing needed): for the cue and the
// forced "\n" of budget forcing.
using Encoder = std::function<std::vector<int64_t>(const std::string&)>;

// `prompts` [N] token ids; `decode` turns ids (stop id removed) into the text the parser reads
// (special tokens kept); `encode` is needed by Continue requests only. Model and prompts must
// outlive the sampler.
Sampler lm_sampler(const lm::Model& model, const std::vector<std::vector<int64_t>>& prompts, lm::Decoder decode,
                   const LmSamplerOptions& opt, Encoder encode = {});

}  // namespace ps::ttc
