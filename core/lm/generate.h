// Batched autoregressive generation with a KV cache.
// Prompts of different lengths are left-padded into one [B, L] batch; the attention mask hides
// the padding and each row's positions count only its real tokens (position = cumsum(mask) − 1,
// as HF generate() does), so a row's tokens are the same as when it runs alone (greedy; when
// sampling, one generator serves the whole batch: the same prompts, batch and seed give the
// same tokens).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
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

// Sequences that keep their KV cache between generation calls: the continuation budget forcing
// needs (ttc/budget_forcing.h). Generate, cut a row back to a kept prefix, append tokens (a cue,
// a forced "</think>") and continue sampling, without passing the kept prefix through the model again.
//
//   SequenceBatch s(model, prompts);
//   auto g = s.extend({0, 1}, {}, cfg);   // from the prompts: one prefill, then decoding (as generate())
//   s.truncate(0, n);                     // row 0 back to its first n tokens: the cache rolled back to them
//   s.extend({0}, {cue_ids}, cfg);        // passes only cue_ids through the model, then samples on
//
// Dimension legend: B rows, T slots (the cache's capacity), KV heads, d head_dim.
// Each row is a token sequence: its first cached(row) tokens have their keys/values in the cache, the
// rest are pending (the prompt before the first call; after a call, the last generated token, which
// generate() never feeds either). One KVCache [B, KV, T, d] holds all rows; row b's i-th token sits in
// slot_b(i), increasing in i but not contiguous: the slots a truncation dropped, and the slots of the
// steps a row sat out (not listed, or finished), are holes (key_mask 0) that no query attends to.
// Row b's i-th token gets RoPE position i (left padding and holes get none, as in generate()), so its
// logits are those of generate() on the same token sequence, up to float rounding (tested).
class SequenceBatch {
 public:
  // prompts [B], each non-empty with ids in the vocabulary (ps::Error naming the row otherwise).
  // Nothing passes through the model until extend(). The model must outlive the batch.
  SequenceBatch(const Model& model, std::vector<std::vector<int64_t>> prompts);

  int64_t rows() const { return static_cast<int64_t>(tokens_.size()); }
  const std::vector<int64_t>& tokens(int64_t row) const;  // the row's whole sequence: prompt + kept + generated
  int64_t cached(int64_t row) const;                       // how many of its tokens the cache holds
  int64_t slots_used() const;                              // the cache's filled slots (holes included)

  // Cuts `row` back to its first `keep` tokens, 1 <= keep <= tokens(row).size(): the cached slots
  // past them become holes (the next extend() reuses the space past every row's last kept slot).
  void truncate(int64_t row, int64_t keep);

  // For each listed row (distinct): appends append[i] (none when `append` is empty), passes the
  // row's pending tokens and the appended ones through the model in one batched forward, then
  // samples up to max_new_tokens[i] tokens (empty: cfg.max_new_tokens for every row) with cfg's
  // sampling, stop ids and stop strings, as generate() does. A listed row needs at least one token to
  // pass (pending or appended): the logits of a row's last cached token are not kept.
  // Rows not listed are untouched. Returns one Generation per listed row, in `rows` order:
  // prompt_ids = the row's sequence before sampling (appended tokens included), ids = the sampled ones.
  // stats: prefill_tokens = tokens passed before sampling (pending + appended, over the listed rows).
  // ps::Error when a row's sequence would pass max_position_embeddings or an id is outside the vocabulary.
  std::vector<Generation> extend(const std::vector<int64_t>& rows, const std::vector<std::vector<int64_t>>& append,
                                 const GenerationConfig& cfg, const std::vector<int64_t>& max_new_tokens = {},
                                 const Decoder& decode = {}, GenerationStats* stats = nullptr);

  // Keeps only `rows` (renumbered 0, 1, ... in that order); their cache rows are copied, not recomputed.
  void retain(const std::vector<int64_t>& rows);

 private:
  const Model& model_;
  std::vector<std::vector<int64_t>> tokens_;  // [B] sequences
  std::vector<std::vector<int64_t>> slots_;   // [B] slot of each cached token (size = cached(row))
  std::unique_ptr<KVCache> cache_;            // created by the first extend()
  void check_row(int64_t row) const;
};

}  // namespace ps::lm
