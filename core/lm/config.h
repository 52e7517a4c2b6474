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

// Upper bounds parse_config enforces before anything is sized by a config's values (a config.json
// with num_hidden_layers 2^31 must be an error, not 2^31 x 11 tensor names). Generous: the largest
// published dense decoders have ~130 layers, 128 heads, head_dim 256, vocabularies of ~260k.
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxHeads = 4096;            // num_attention_heads and num_key_value_heads
constexpr int64_t kMaxHeadDim = 4096;
constexpr int64_t kMaxVocab = 2147483647;       // token ids are int32
constexpr int kMaxParametersLog2 = 42;          // ~4.4e12 parameters in all

// Parses and validates config.json; every problem is a ps::Error naming the file and key.
// Besides types and consistency (head_dim even, num_attention_heads % num_key_value_heads == 0) it
// bounds the shapes (above), and rope_theta / rope_parameters.rope_theta to [1, FLT_MAX] (finite,
// representable in the float32 RoPE table). config.json must be strict JSON: a repeated key or text
// after the object is an error (common/json_file.h).
ModelConfig load_config(const std::string& config_json_path);
ModelConfig parse_config(const nlohmann::json& j, const std::string& source_name);
// One tensor of a checkpoint: its Hugging Face name and shape.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  std::string config_keys;  // the config.json keys the shape comes from, for messages ("vocab_size, hidden_size")
};
// Every tensor a checkpoint of this config holds, in HF state_dict order, with its shape:
// model.embed_tokens.weight [vocab, hidden]; per layer q/k/v/o_proj, (Qwen3) q_norm/k_norm
// [head_dim], gate/up/down_proj, the two layer norms [hidden]; model.norm.weight; lm_head.weight
// [vocab, hidden] when untied. 2 + num_layers x (9 or 11) entries (bounded by kMaxLayers).
std::vector<TensorSpec> expected_tensors(const ModelConfig& c);

// The config.json text Hugging Face would accept for this config.
std::string config_to_json(const ModelConfig& c);

// A tiny Qwen3 (4 layers, hidden 128, 4 query / 2 KV heads of dim 32) that tests and the
// CPU demo initialise from scratch; vocab_size follows the tokenizer it is paired with.
ModelConfig tiny_qwen3_config(int64_t vocab_size = 1024);
// Qwen3-0.6B's shapes (28 layers, hidden 1024, 16/8 heads of dim 128, vocab 151936, tied).
ModelConfig qwen3_0_6b_config();

}  // namespace ps::lm
