// Training checkpoints, written atomically: everything goes into <dir>.tmp, each file is
// fsync'ed, then <dir> is replaced by a rename (the previous checkpoint is kept as <dir>.old until
// the new one is in place), so a kill at any moment leaves a complete checkpoint.
//
//   <dir>/state.json           step, data cursor, RNG state, anything the loop needs (JSON)
//   <dir>/weights.safetensors  the trained tensors (LoRA A/B under PEFT names, or every model weight)
//   <dir>/optimizer.pt         AdamW's moments and step counts (torch::serialize archive)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/optim/optimizer.h>

namespace ps::train {

using NamedParams = std::vector<std::pair<std::string, at::Tensor>>;

void save_train_checkpoint(const std::string& dir, const NamedParams& params, torch::optim::Optimizer& optim,
                           const nlohmann::json& state);

// nullopt when no checkpoint exists. Restores the tensors in place (names and shapes must match:
// ps::Error naming the file otherwise) and the optimiser; returns the state.
std::optional<nlohmann::json> load_train_checkpoint(const std::string& dir, const NamedParams& params,
                                                    torch::optim::Optimizer& optim);

bool has_train_checkpoint(const std::string& dir);
// The step a checkpoint holds (0 when there is none); ps::Error naming the file when unreadable.
int64_t checkpoint_step(const std::string& dir);

// The default CPU generator's state as a JSON array of bytes, and back (dropout, sampling).
nlohmann::json cpu_rng_state();
void set_cpu_rng_state(const nlohmann::json& j);

}  // namespace ps::train
