// The shape of a decoder-only transformer, read from a Hugging Face config.json
// (LlamaForCausalLM or Qwen3ForCausalLM) or built in code for models trained here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ps::lm {

enum class Architecture { Llama, Qwen3 };

struct ModelConfig {
  Architecture arch = Architecture::Qwen3;
  int64_t vocab_size = 0;         // embedding rows (may exceed the tokenizer's ids: padding rows)
  int64_t hidden_size = 0;        // d_model
  int64_t intermediate_size = 0;  // SwiGLU inner width
  int64_t num_layers = 0;
  int64_t num_heads = 0;          // query heads
  int64_t num_kv_heads = 0;       // key/value heads (GQA: num_heads % num_kv_heads == 0)
  int64_t head_dim = 0;           // need not equal hidden_size / num_heads (Qwen3-0.6B: 128 vs 64);
                                  // when absent: 128 for Qwen3 (Qwen3Config), hidden / heads for Llama
  int64_t max_position_embeddings = 2048;  // no allocation is sized by it alone (RoPE tables grow on demand)
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;    // top-level rope_theta (transformers 4) or rope_parameters.rope_theta (5)
  bool tie_word_embeddings = false;
  // config.json's "dtype" (transformers 5) or "torch_dtype": the dtype transformers loads the model
  // in. Informational: Model::load accepts F32/BF16/F16 stored tensors and casts to its own dtype.
  std::string torch_dtype = "float32";
  std::vector<int64_t> eos_token_ids;   // may be empty (HF omits None)
  int64_t bos_token_id = -1;            // -1: none

  bool has_qk_norm() const { return arch == Architecture::Qwen3; }  // Qwen3's per-head q_norm/k_norm
  int64_t q_size() const { return num_heads * head_dim; }
  int64_t kv_size() const { return num_kv_heads * head_dim; }
  int64_t num_parameters() const;  // as stored (counts lm_head only when untied)
};

// Parses and validates config.json; every problem is a ps::Error naming the file and key.
ModelConfig load_config(const std::string& config_json_path);
ModelConfig parse_config(const nlohmann::json& j, const std::string& source_name);
// The config.json text Hugging Face would accept for this config.
std::string config_to_json(const ModelConfig& c);

// A tiny Qwen3 (4 layers, hidden 128, 4 query / 2 KV heads of dim 32) that tests and the
// CPU demo initialise from scratch; vocab_size follows the tokenizer it is paired with.
ModelConfig tiny_qwen3_config(int64_t vocab_size = 1024);
// Qwen3-0.6B's shapes (28 layers, hidden 1024, 16/8 heads of dim 128, vocab 151936, tied).
ModelConfig qwen3_0_6b_config();

}  // namespace ps::lm
