// A decoder-only transformer (LlamaForCausalLM / Qwen3ForCausalLM), pre-norm:
//   x = embed_tokens[ids]                                  [B, L, hidden]
//   for each layer:  h = x + SelfAttention(RMSNorm_in(x))
//                    x = h + SwiGLU(RMSNorm_post(h))
//   logits = lm_head(RMSNorm_final(x))                     [B, L, vocab]   (lm_head = embed_tokens when tied)
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "lm/attention.h"
#include "lm/config.h"
#include "lm/kv_cache.h"
#include "lm/linear.h"
#include "lm/rope.h"
#include "lm/safetensors.h"

namespace ps::lm {

class LoraAdapter;

struct LayerWeights {
  at::Tensor input_layernorm;           // [hidden]
  AttentionWeights self_attn;
  at::Tensor post_attention_layernorm;  // [hidden]
  at::Tensor gate_up;                   // [W_gate; W_up] stacked [2·inter, hidden]: one product for both
  Linear gate_proj, up_proj;            // [inter, hidden], views of gate_up's halves
  Linear down_proj;                     // [hidden, inter]
};

struct ModelWeights {
  at::Tensor embed_tokens;  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  at::Tensor norm;          // [hidden]
  Linear lm_head;           // [vocab, hidden]; shares embed_tokens' storage when tied
};

class Model {
 public:
  // Reads config.json and the safetensors checkpoint of a Hugging Face model folder. Every
  // tensor the config implies must be present with its exact shape, none may be unexpected.
  static Model load(const std::string& dir, at::Device device = at::kCPU, at::ScalarType dtype = at::kFloat);
  // Fresh weights (HF init: normal(0, 0.02) for matrices, 1 for norms), deterministic in `seed`.
  static Model init_random(const ModelConfig& config, uint64_t seed, at::Device device = at::kCPU,
                           at::ScalarType dtype = at::kFloat);
  // Writes config.json + model.safetensors in HF layout (tensors in the model's dtype).
  void save(const std::string& dir) const;

  const ModelConfig& config() const { return config_; }
  at::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }
  ModelWeights& weights() { return w_; }
  const ModelWeights& weights() const { return w_; }
  // The stored tensors under their Hugging Face names (lm_head only when untied).
  NamedTensors named_weights() const;

  // ids, positions [B, L] int64 (any device); attention_mask [B, L] 1/0 (undefined: all real).
  // With a cache the tokens are appended after what it holds and attend to it.
  // Returns logits [B, L, vocab] (or [B, 1, vocab] with last_position_only) in the model dtype.
  // Autograd records the pass unless the caller holds at::NoGradGuard / c10::InferenceMode
  // (generate() does); base weights never require grad, LoRA A/B do.
  at::Tensor forward(const at::Tensor& ids, const at::Tensor& positions, KVCache* cache = nullptr,
                     const at::Tensor& attention_mask = {}, const ForwardOptions& opt = {}) const;
  KVCache make_cache(int64_t batch, int64_t capacity) const {
    return KVCache(config_, batch, capacity, device_, dtype_);
  }
  // Instrumentation: token positions passed through forward() since load (B·L per call, padding
  // and masked rows included): what tests read to prove a KV cache was reused, not recomputed.
  // Shared by copies of this Model (not by clone()); thread-safe.
  int64_t forwarded_positions() const { return forwarded_->load(); }

  // A deep copy (fresh storage for every weight, no autograd history): the frozen reference
  // policy of full fine-tuning, or a snapshot. Adapters are not copied.
  Model clone() const;
  // Full fine-tuning: sets requires_grad on every stored weight and returns the leaves the
  // optimiser updates, by name ("model.layers.0.self_attn.qkv" holds q/k/v_proj stacked,
  // "model.layers.0.mlp.gate_up" gate/up_proj; the per-projection weights are views of them).
  std::vector<std::pair<std::string, at::Tensor>> set_trainable(bool trainable);
  // Recomputes tensors derived from the weights at load (Qwen3's stacked q/k norm). Forward
  // builds them on the fly while q_norm requires grad; call this after training them.
  void refresh_derived();

  // LoRA: attach puts the adapter's A/B on the projections it targets (forward uses them unless
  // opt.use_adapter is false); merge folds W' = W + scaling·(B·A) into the weights and detaches.
  void attach_adapter(std::shared_ptr<LoraAdapter> adapter);
  void detach_adapter();
  void merge_adapter();
  const std::shared_ptr<LoraAdapter>& adapter() const { return adapter_; }

 private:
  Model(ModelConfig config, at::Device device, at::ScalarType dtype);
  ModelConfig config_;
  at::Device device_;
  at::ScalarType dtype_;
  ModelWeights w_;
  Rope rope_;
  std::shared_ptr<LoraAdapter> adapter_;
  std::shared_ptr<std::atomic<int64_t>> forwarded_ = std::make_shared<std::atomic<int64_t>>(0);
};

// The Hugging Face name of a projection, e.g. ("q_proj", 3) -> "model.layers.3.self_attn.q_proj.weight".
std::string projection_name(int64_t layer, const std::string& target);
// The projection `target` ("q_proj" ... "down_proj") of a layer.
Linear& projection(LayerWeights& layer, const std::string& target);
// The seven projections LoRA can target, in PEFT's order.
const std::vector<std::string>& projection_targets();

}  // namespace ps::lm
