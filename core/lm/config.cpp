#include "lm/config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_file.h"

namespace ps::lm {

using nlohmann::json;

int64_t ModelConfig::num_parameters() const {
  const int64_t attn = hidden_size * q_size() + 2 * hidden_size * kv_size() + q_size() * hidden_size;
  const int64_t mlp = 3 * hidden_size * intermediate_size;
  const int64_t norms = 2 * hidden_size + (has_qk_norm() ? 2 * head_dim : 0);
  const int64_t embed = vocab_size * hidden_size;
  return embed + num_layers * (attn + mlp + norms) + hidden_size + (tie_word_embeddings ? 0 : embed);
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  std::vector<TensorSpec> out;
  const int64_t h = c.hidden_size, i = c.intermediate_size;
  const std::string embed = "vocab_size, hidden_size", q = "num_attention_heads x head_dim, hidden_size",
                    kv = "num_key_value_heads x head_dim, hidden_size", mlp = "intermediate_size, hidden_size";
  out.push_back({"model.embed_tokens.weight", {c.vocab_size, h}, embed});
  for (int64_t n = 0; n < c.num_layers; ++n) {
    const std::string p = "model.layers." + std::to_string(n) + ".";
    out.push_back({p + "self_attn.q_proj.weight", {c.q_size(), h}, q});
    out.push_back({p + "self_attn.k_proj.weight", {c.kv_size(), h}, kv});
    out.push_back({p + "self_attn.v_proj.weight", {c.kv_size(), h}, kv});
    out.push_back({p + "self_attn.o_proj.weight", {h, c.q_size()}, "hidden_size, num_attention_heads x head_dim"});
    if (c.has_qk_norm()) {
      out.push_back({p + "self_attn.q_norm.weight", {c.head_dim}, "head_dim"});
      out.push_back({p + "self_attn.k_norm.weight", {c.head_dim}, "head_dim"});
    }
    out.push_back({p + "mlp.gate_proj.weight", {i, h}, mlp});
    out.push_back({p + "mlp.up_proj.weight", {i, h}, mlp});
    out.push_back({p + "mlp.down_proj.weight", {h, i}, "hidden_size, intermediate_size"});
    out.push_back({p + "input_layernorm.weight", {h}, "hidden_size"});
    out.push_back({p + "post_attention_layernorm.weight", {h}, "hidden_size"});
  }
  out.push_back({"model.norm.weight", {h}, "hidden_size"});
  if (!c.tie_word_embeddings) out.push_back({"lm_head.weight", {c.vocab_size, h}, embed});
  return out;
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
    return positive_number_value(key, j.at(key));
  }
  double positive_number_value(const std::string& key, const json& v) const {
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
      fail(key, "expected a finite positive number, got " + v.dump());
    return v.get<double>();
  }
  std::string string(const std::string& key, const std::string& fallback) const {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    if (!j.at(key).is_string()) fail(key, "expected a string, got " + j.at(key).dump());
    return j.at(key).get<std::string>();
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

  std::string model_type = r.string("model_type", "");
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
  // head_dim when absent: Qwen3Config's default is 128; LlamaConfig's is hidden_size / num_attention_heads.
  if (!j.contains("head_dim") || j["head_dim"].is_null()) {
    if (c.arch == Architecture::Qwen3) {
      c.head_dim = 128;
    } else {
      if (c.hidden_size % c.num_heads != 0) r.fail("head_dim", "missing and hidden_size % num_attention_heads != 0");
      c.head_dim = c.hidden_size / c.num_heads;
    }
  } else {
    c.head_dim = r.positive_int("head_dim");
  }
  if (c.head_dim % 2 != 0) r.fail("head_dim", "must be even for RoPE, got " + std::to_string(c.head_dim));
  if (c.num_heads % c.num_kv_heads != 0)
    r.fail("num_key_value_heads", "num_attention_heads (" + std::to_string(c.num_heads) +
                                      ") is not a multiple of it (" + std::to_string(c.num_kv_heads) + ")");
  // Shapes whose element counts must stay representable (a hostile config must not overflow them).
  auto check_product = [&](const std::string& key, std::initializer_list<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims)
      if (__builtin_mul_overflow(p, d, &p) || p > (int64_t(1) << 48))
        r.fail(key, "implies a tensor of more than 2^48 elements; the config is corrupt");
  };
  check_product("vocab_size", {c.vocab_size, c.hidden_size});
  check_product("intermediate_size", {c.intermediate_size, c.hidden_size});
  check_product("num_attention_heads", {c.num_heads, c.head_dim, c.hidden_size});
  check_product("num_hidden_layers", {c.num_layers, c.hidden_size});
  // Sane upper bounds, checked before anything is sized by these values (Model::load then checks
  // every shape against the checkpoint's header before reading or allocating tensors). The largest
  // published dense decoders have ~130 layers, 128 heads, head_dim 256 and vocabularies of ~260k.
  auto at_most = [&](const std::string& key, int64_t v, int64_t limit) {
    if (v > limit)
      r.fail(key, std::to_string(v) + " is beyond the largest this runtime accepts (" + std::to_string(limit) +
                      "); the config is corrupt");
  };
  at_most("num_hidden_layers", c.num_layers, kMaxLayers);
  at_most("num_attention_heads", c.num_heads, kMaxHeads);
  at_most("num_key_value_heads", c.num_kv_heads, kMaxHeads);
  at_most("head_dim", c.head_dim, kMaxHeadDim);
  at_most("vocab_size", c.vocab_size, kMaxVocab);
  {
    // The whole model (as num_parameters() counts it), in 128-bit arithmetic so no sum can wrap.
    using i128 = __int128;
    const i128 h = c.hidden_size, q = i128(c.num_heads) * c.head_dim, kv = i128(c.num_kv_heads) * c.head_dim;
    const i128 layer = 2 * h * q + 2 * h * kv + 3 * h * c.intermediate_size + 2 * h + 2 * c.head_dim;
    const i128 total = 2 * i128(c.vocab_size) * h + i128(c.num_layers) * layer + h;
    if (total > (i128(1) << kMaxParametersLog2))
      r.fail("num_hidden_layers", "with hidden_size, intermediate_size, the head counts and vocab_size, the config implies "
                                  "more than 2^" + std::to_string(kMaxParametersLog2) + " parameters; the config is corrupt");
  }
  c.max_position_embeddings = r.positive_int("max_position_embeddings", 2048);
  c.rms_norm_eps = r.positive_number("rms_norm_eps", 1e-6);
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);

  // RoPE: transformers < 5 writes rope_theta (and rope_scaling) at the top level; transformers 5
  // writes rope_parameters {"rope_type": "default", "rope_theta": ...}. Both are read; when both
  // give a theta they must agree. Only plain ("default") RoPE is implemented.
  auto check_rope_type = [&](const std::string& key, const json& o) {
    std::string type = "default";
    for (const char* k : {"rope_type", "type"})
      if (o.contains(k) && !o[k].is_null()) {
        if (!o[k].is_string()) r.fail(key, std::string("'") + k + "' must be a string");
        type = o[k].get<std::string>();
      }
    if (type != "default")
      r.fail(key, "RoPE scaling of type '" + type + "' is not supported (only plain RoPE, rope_type \"default\")");
  };
  // theta must survive HF's float32 arithmetic (inv_freq = 1 / theta^(2i/d) in float32): at most
  // FLT_MAX; below 1 the "frequencies" grow with i and are meaningless (real models use 1e4 .. 1e7).
  auto rope_theta = [&](const std::string& key, const json& v) {
    const double t = r.positive_number_value(key, v);
    if (!(t >= 1.0) || !(t <= double(std::numeric_limits<float>::max())))
      r.fail(key, "expected a number from 1 to 3.4e38 (float32's largest; RoPE is computed in float32), got " + v.dump());
    return t;
  };
  std::optional<double> theta_top, theta_params;
  if (j.contains("rope_theta") && !j["rope_theta"].is_null()) theta_top = rope_theta("rope_theta", j["rope_theta"]);
  if (j.contains("rope_parameters") && !j["rope_parameters"].is_null()) {
    const json& rp = j["rope_parameters"];
    if (!rp.is_object()) r.fail("rope_parameters", "expected an object, got " + rp.dump());
    check_rope_type("rope_parameters", rp);
    if (rp.contains("rope_theta") && !rp["rope_theta"].is_null())
      theta_params = rope_theta("rope_parameters.rope_theta", rp["rope_theta"]);
  }
  if (theta_top && theta_params && *theta_top != *theta_params)
    r.fail("rope_parameters.rope_theta", "disagrees with the top-level rope_theta (" + std::to_string(*theta_params) +
                                             " vs " + std::to_string(*theta_top) + ")");
  c.rope_theta = theta_params ? *theta_params : theta_top ? *theta_top : 10000.0;

  // Features this runtime does not implement are refused, not silently ignored.
  if (r.boolean("attention_bias", false)) r.fail("attention_bias", "biases in attention are not supported");
  if (r.boolean("mlp_bias", false)) r.fail("mlp_bias", "biases in the MLP are not supported");
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) {
    if (!j["rope_scaling"].is_object()) r.fail("rope_scaling", "expected an object or null");
    check_rope_type("rope_scaling", j["rope_scaling"]);
  }
  if (r.boolean("use_sliding_window", false)) r.fail("use_sliding_window", "sliding-window attention is not supported");
  std::string act = r.string("hidden_act", "silu");
  if (act != "silu") r.fail("hidden_act", "only silu (SwiGLU) is supported, got '" + act + "'");

  // The dtype transformers loads in: "dtype" (transformers 5) or "torch_dtype" (before); "dtype" wins.
  for (const char* key : {"torch_dtype", "dtype"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_string()) r.fail(key, "expected a string, got " + j[key].dump());
    std::string d = j[key].get<std::string>();
    if (d.rfind("torch.", 0) == 0) d = d.substr(6);
    if (d == "auto") continue;
    if (d != "float32" && d != "bfloat16" && d != "float16")
      r.fail(key, "expected float32, bfloat16 or float16, got '" + d + "'");
    c.torch_dtype = d;
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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(where(path, 0, "is a folder, not a config.json file"));
  if (!std::filesystem::exists(path, ec)) throw Error(where(path, 0, "cannot open config.json: no such file"));
  return parse_config(read_json_file_strict(path), path);
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
