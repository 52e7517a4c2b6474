// SFT examples and batches. An example is a chat prompt (generation prompt included) followed
// by the teacher's completion and <|im_end|>; the loss covers the assistant tokens only:
//   ids        = prompt_ids ++ completion_ids ++ [im_end]          length n
//   targets    = ids[1:], loss on target positions t >= len(prompt_ids) - 1
// Batches are right-padded [B, L] with an attention mask; positions 0..n-1 per row.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ps::train {

struct SftExample {
  std::vector<int64_t> ids;  // prompt + completion + end token
  int64_t prompt_len = 0;    // tokens of the prompt (no loss on them)
  std::string key;           // item key, for error messages
};

struct SftBatch {
  at::Tensor ids;        // [B, L] int64, right-padded with pad_id
  at::Tensor attention;  // [B, L] int64, 1 = real
  at::Tensor positions;  // [B, L] int64
  at::Tensor loss_mask;  // [B, L-1] float32: 1 where target ids[:, t+1] is an assistant token
  int64_t tokens = 0;    // real tokens
  int64_t loss_tokens = 0;
};

SftBatch make_sft_batch(const std::vector<const SftExample*>& examples, int64_t pad_id);

}  // namespace ps::train
