// Completion ids and completion mask of a batch of rollouts (TRL v0.19
// _generate_and_score_completions; pipeline-facts A.2, A.6).
//
// Dimensions: B = N*G rollouts (N prompts, G = K completions each, prompt-major), T = the longest
// completion (tokens).
//   ids  [B, T] int64: row i = completions[i], right-padded with pad_id
//   mask [B, T] float32: M[i, t] = 1 for t <= s_i, 0 after, where s_i is the position of the
//        first stop id in row i, or len_i - 1 when the row has none (then M covers its tokens)
//   mask_truncated_completions: a row without any stop id gets an all-zero mask
//        (excluded from the loss; TRL's option of the same name)
//   lengths[i] = s_i + 1 (TRL's completion_lengths, taken before mask_truncated_completions)
//   clipped_ratio = (#rows without a stop id) / B            (TRL's "completions/clipped_ratio")
// Tokens after the first stop id stay in ids but are masked out.
#pragma once
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace ps::train {

struct CompletionBatch {
  at::Tensor ids;                // [B, T] int64, CPU
  at::Tensor mask;               // [B, T] float32 0/1, CPU
  std::vector<int64_t> lengths;  // [B] tokens up to and including the first stop id (all tokens if none)
  std::vector<bool> truncated;   // [B] no stop id in the row
  double clipped_ratio = 0;      // fraction of truncated rows
};

// completions: B >= 1 rows (else ps::Error); stop_ids: non-empty (Qwen3: {151645, 151643}),
// else ps::Error. An all-empty batch gives T = 0.
CompletionBatch build_completion_batch(const std::vector<std::vector<int64_t>>& completions,
                                       const std::vector<int64_t>& stop_ids, int64_t pad_id,
                                       bool mask_truncated_completions);

}  // namespace ps::train
