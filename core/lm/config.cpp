#include "lm/config.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace ps::lm {

using nlohmann::json;

int64_t ModelConfig::num_parameters() const {
  const int64_t attn = hidden_size * q_size() + 2 * hidden_size * kv_size() + q_size() * hidden_size;
  const int64_t mlp = 3 * hidden_size * intermediate_size;
  const int64_t norms = 2 * hidden_size + (has_qk_norm() ? 2 * head_dim : 0);
  const int64_t embed = vocab_size * hidden_size;
  return embed + num_layers * (attn + mlp + norms) + hidden_size + (tie_word_embeddings ? 0 : embed);
}

namespace {

struct Reader {
  const json& j;
  const std::string& src;

  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw Error(where(src, 0, "config key '" + key + "': " + msg));
  }
  int64_t positive_int(const std::string& key) const {
    if (!j.contains(key)) fail(key, "missing");
    return positive(key, j.at(key));
  }
  int64_t positive_int(const std::string& key, int64_t fallback) const {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    return positive(key, j.at(key));
  }
  int64_t positive(const std::string& key, const json& v) const {
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) fail(key, "expected a positive integer, got " + v.dump());
    return v.get<int64_t>();
  }
  double positive_number(const std::string& key, double fallback) const {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    const json& v = j.at(key);
    if (!v.is_number() || v.get<double>() <= 0) fail(key, "expected a positive number, got " + v.dump());
    return v.get<double>();
  }
  bool boolean(const std::string& key, bool fallback) const {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    if (!j.at(key).is_boolean()) fail(key, "expected true or false, got " + j.at(key).dump());
    return j.at(key).get<bool>();
  }
};

}  // namespace

ModelConfig parse_config(const json& j, const std::string& src) {
  if (!j.is_object()) throw Error(where(src, 0, "config.json is not a JSON object"));
  Reader r{j, src};
  ModelConfig c;

  std::string model_type = j.value("model_type", std::string());
  std::string arch_name;
  if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
      j["architectures"][0].is_string())
    arch_name = j["architectures"][0].get<std::string>();
  if (model_type == "qwen3" || arch_name == "Qwen3ForCausalLM") {
    c.arch = Architecture::Qwen3;
  } else if (model_type == "llama" || arch_name == "LlamaForCausalLM") {
    c.arch = Architecture::Llama;
  } else {
    r.fail("model_type", "unsupported model '" + model_type + "' / '" + arch_name +
                             "' (supported: qwen3 Qwen3ForCausalLM, llama LlamaForCausalLM)");
  }

  c.vocab_size = r.positive_int("vocab_size");
  c.hidden_size = r.positive_int("hidden_size");
  c.intermediate_size = r.positive_int("intermediate_size");
  c.num_layers = r.positive_int("num_hidden_layers");
  c.num_heads = r.positive_int("num_attention_heads");
  c.num_kv_heads = r.positive_int("num_key_value_heads", c.num_heads);
  // HF: head_dim defaults to hidden_size / num_attention_heads.
  if (!j.contains("head_dim") || j["head_dim"].is_null()) {
    if (c.hidden_size % c.num_heads != 0) r.fail("head_dim", "missing and hidden_size % num_attention_heads != 0");
    c.head_dim = c.hidden_size / c.num_heads;
  } else {
    c.head_dim = r.positive_int("head_dim");
  }
  if (c.head_dim % 2 != 0) r.fail("head_dim", "must be even for RoPE, got " + std::to_string(c.head_dim));
  if (c.num_heads % c.num_kv_heads != 0)
    r.fail("num_key_value_heads", "num_attention_heads (" + std::to_string(c.num_heads) +
                                      ") is not a multiple of it (" + std::to_string(c.num_kv_heads) + ")");
  c.max_position_embeddings = r.positive_int("max_position_embeddings", 2048);
  c.rms_norm_eps = r.positive_number("rms_norm_eps", 1e-6);
  c.rope_theta = r.positive_number("rope_theta", 10000.0);
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);

  // Features this runtime does not implement are refused, not silently ignored.
  if (r.boolean("attention_bias", false)) r.fail("attention_bias", "biases in attention are not supported");
  if (r.boolean("mlp_bias", false)) r.fail("mlp_bias", "biases in the MLP are not supported");
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
    r.fail("rope_scaling", "RoPE scaling is not supported (only plain RoPE)");
  if (r.boolean("use_sliding_window", false)) r.fail("use_sliding_window", "sliding-window attention is not supported");
  std::string act = j.value("hidden_act", std::string("silu"));
  if (act != "silu") r.fail("hidden_act", "only silu (SwiGLU) is supported, got '" + act + "'");

  if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) {
    c.torch_dtype = j["torch_dtype"].get<std::string>();
    if (c.torch_dtype != "float32" && c.torch_dtype != "bfloat16" && c.torch_dtype != "float16")
      r.fail("torch_dtype", "expected float32, bfloat16 or float16, got '" + c.torch_dtype + "'");
  }
  if (j.contains("eos_token_id")) {
    const json& e = j["eos_token_id"];
    if (e.is_number_integer()) c.eos_token_ids.push_back(e.get<int64_t>());
    else if (e.is_array())
      for (const auto& x : e) {
        if (!x.is_number_integer()) r.fail("eos_token_id", "expected integers");
        c.eos_token_ids.push_back(x.get<int64_t>());
      }
    else if (!e.is_null()) r.fail("eos_token_id", "expected an integer or a list of integers");
  }
  if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos_token_id = j["bos_token_id"].get<int64_t>();
  return c;
}

ModelConfig load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(where(path, 0, "cannot open config.json"));
  json j;
  try {
    in >> j;
  } catch (const json::exception& e) {
    throw Error(where(path, 0, std::string("invalid JSON: ") + e.what()));
  }
  return parse_config(j, path);
}

std::string config_to_json(const ModelConfig& c) {
  const bool qwen = c.arch == Architecture::Qwen3;
  json j;
  j["architectures"] = {qwen ? "Qwen3ForCausalLM" : "LlamaForCausalLM"};
  j["model_type"] = qwen ? "qwen3" : "llama";
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  j["head_dim"] = c.head_dim;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope_theta;
  j["rope_scaling"] = nullptr;
  j["hidden_act"] = "silu";
  j["attention_bias"] = false;
  j["attention_dropout"] = 0.0;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["torch_dtype"] = c.torch_dtype;
  if (qwen) {
    j["use_sliding_window"] = false;
    j["sliding_window"] = nullptr;
  }
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_ids.size() == 1) j["eos_token_id"] = c.eos_token_ids[0];
  else if (!c.eos_token_ids.empty()) j["eos_token_id"] = c.eos_token_ids;
  return j.dump(2) + "\n";
}

ModelConfig tiny_qwen3_config(int64_t vocab_size) {
  ModelConfig c;
  c.arch = Architecture::Qwen3;
  c.vocab_size = vocab_size;
  c.hidden_size = 128;
  c.intermediate_size = 384;
  c.num_layers = 4;
  c.num_heads = 4;
  c.num_kv_heads = 2;
  c.head_dim = 32;
  c.max_position_embeddings = 2048;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1e6;
  c.tie_word_embeddings = true;
  return c;
}

ModelConfig qwen3_0_6b_config() {
  ModelConfig c;
  c.arch = Architecture::Qwen3;
  c.vocab_size = 151936;
  c.hidden_size = 1024;
  c.intermediate_size = 3072;
  c.num_layers = 28;
  c.num_heads = 16;
  c.num_kv_heads = 8;
  c.head_dim = 128;
  c.max_position_embeddings = 40960;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1e6;
  c.tie_word_embeddings = true;
  c.bos_token_id = 151643;
  c.eos_token_ids = {151645, 151643};
  return c;
}

}  // namespace ps::lm
