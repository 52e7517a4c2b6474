// The token ids that end a generation by default, for every command that generates
// (generate, serve, eval): generation_config.json's eos_token_id when the model folder has
// one (an integer or a list; Qwen3 lists [151645, 151643] = <|im_end|>, <|endoftext|>),
// else config.json's eos_token_id (ModelConfig::eos_token_ids, possibly empty).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lm/config.h"

namespace ps::lm {

// Throws ps::Error naming generation_config.json when it is not valid JSON or its
// eos_token_id is neither an integer nor a list of non-negative integers.
std::vector<int64_t> default_stop_ids(const std::string& model_dir, const ModelConfig& config);

}  // namespace ps::lm
