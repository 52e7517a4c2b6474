// LoRA adapters (PEFT-compatible) on the attention and MLP projections:
//   y = W x + (alpha / r) · B A dropout(x),  A [r, in] ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in),  B [out, r] = 0
// Saved and loaded in PEFT's layout: adapter_config.json + adapter_model.safetensors with keys
//   base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight   (…lora_B.weight; mlp.gate_proj…)
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lm/config.h"
#include "lm/linear.h"
#include "lm/safetensors.h"

namespace ps::lm {

struct LoraConfig {
  int64_t r = 8;
  double alpha = 8.0;       // lora_alpha
  double dropout = 0.0;     // lora_dropout
  bool use_rslora = false;  // scaling alpha/√r instead of alpha/r
  std::vector<std::string> targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  std::string base_model;   // base_model_name_or_path, informational

  double scaling() const;
};

class LoraAdapter {
 public:
  // A fresh adapter: A kaiming-uniform from a generator seeded with `seed`, B zero, both trainable.
  static std::shared_ptr<LoraAdapter> create(const ModelConfig& model, const LoraConfig& config, uint64_t seed,
                                             at::Device device = at::kCPU, at::ScalarType dtype = at::kFloat);
  // Reads a PEFT adapter folder; every key must be present with its shape, none unexpected.
  static std::shared_ptr<LoraAdapter> load(const std::string& dir, const ModelConfig& model,
                                           at::Device device = at::kCPU, at::ScalarType dtype = at::kFloat);
  void save(const std::string& dir) const;

  const LoraConfig& config() const { return config_; }
  int64_t num_layers() const { return num_layers_; }
  std::shared_ptr<LoraWeights> get(int64_t layer, const std::string& target) const;  // null if not targeted
  std::vector<at::Tensor> parameters() const;  // every A and B (requires_grad)
  NamedTensors named_parameters() const;       // under their PEFT names
  void check_compatible(const ModelConfig& model) const;  // throws ps::Error on a shape mismatch

 private:
  LoraConfig config_;
  int64_t num_layers_ = 0;
  std::map<std::pair<int64_t, std::string>, std::shared_ptr<LoraWeights>> weights_;
};

// "base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight"
std::string peft_key(int64_t layer, const std::string& target, char which /* 'A' or 'B' */);

}  // namespace ps::lm
