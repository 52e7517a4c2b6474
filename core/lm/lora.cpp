#include "lm/lora.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_file.h"
#include "common/fileio.h"
#include "lm/model.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::lm {

namespace {

// (in_features, out_features) of a projection.
std::pair<int64_t, int64_t> projection_shape(const ModelConfig& c, const std::string& t) {
  if (t == "q_proj") return {c.hidden_size, c.q_size()};
  if (t == "k_proj" || t == "v_proj") return {c.hidden_size, c.kv_size()};
  if (t == "o_proj") return {c.q_size(), c.hidden_size};
  if (t == "gate_proj" || t == "up_proj") return {c.hidden_size, c.intermediate_size};
  if (t == "down_proj") return {c.intermediate_size, c.hidden_size};
  throw Error("LoRA: unknown target module '" + t + "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)");
}

constexpr double kMaxLoraScaling = 1e6;

void validate(const LoraConfig& c, const std::string& src) {
  if (c.r <= 0) throw Error(where(src, 0, "LoRA rank r must be positive"));
  if (!std::isfinite(c.alpha)) throw Error(where(src, 0, "lora_alpha must be a finite number"));
  // PEFT's scaling is alpha / r (rsLoRA: alpha / sqrt(r)), ~0.5..4 in practice; beyond 1e6 the
  // update B·A·scaling overflows low-precision dtypes, so such a config is refused by name.
  if (std::fabs(c.scaling()) > kMaxLoraScaling)
    throw Error(where(src, 0, "lora_alpha " + std::to_string(c.alpha) + " with r=" + std::to_string(c.r) +
                                  " gives a LoRA scaling of " + std::to_string(c.scaling()) + " (at most 1e6 is supported)"));
  if (c.dropout < 0 || c.dropout >= 1) throw Error(where(src, 0, "lora_dropout must be in [0, 1)"));
  if (c.targets.empty()) throw Error(where(src, 0, "target_modules is empty"));
  std::set<std::string> seen;
  for (const auto& t : c.targets) {
    if (!seen.insert(t).second) throw Error(where(src, 0, "target module '" + t + "' listed twice"));
    const auto& all = projection_targets();
    if (std::find(all.begin(), all.end(), t) == all.end())
      throw Error(where(src, 0, "unsupported target module '" + t + "' (supported: q_proj k_proj v_proj o_proj gate_proj up_proj down_proj)"));
  }
}

}  // namespace

double LoraConfig::scaling() const { return use_rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / r; }

std::string peft_key(int64_t layer, const std::string& target, char which) {
  std::string name = projection_name(layer, target);          // model.layers.N.self_attn.q_proj.weight
  name = name.substr(0, name.size() - std::string(".weight").size());
  return "base_model.model." + name + ".lora_" + which + ".weight";
}

std::shared_ptr<LoraAdapter> LoraAdapter::create(const ModelConfig& model, const LoraConfig& config, uint64_t seed,
                                                 at::Device device, at::ScalarType dtype) {
  validate(config, "LoRA config");
  auto a = std::make_shared<LoraAdapter>();
  a->config_ = config;
  a->num_layers_ = model.num_layers;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  for (int64_t n = 0; n < model.num_layers; ++n)
    for (const auto& t : config.targets) {
      auto [in, out] = projection_shape(model, t);
      auto w = std::make_shared<LoraWeights>();
      // kaiming_uniform(a=√5): bound = gain·√(3/fan_in), gain = √(2/(1+a²)) = √(1/3)  =>  1/√in
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      w->A = at::empty({config.r, in}).uniform_(-bound, bound, gen).to(device, dtype).requires_grad_(true);
      w->B = at::zeros({out, config.r}, at::TensorOptions().device(device).dtype(dtype)).requires_grad_(true);
      w->scaling = config.scaling();
      w->dropout = config.dropout;
      a->weights_[{n, t}] = w;
    }
  return a;
}

std::shared_ptr<LoraWeights> LoraAdapter::get(int64_t layer, const std::string& target) const {
  auto it = weights_.find({layer, target});
  return it == weights_.end() ? nullptr : it->second;
}

std::vector<at::Tensor> LoraAdapter::parameters() const {
  std::vector<at::Tensor> out;
  for (const auto& [k, w] : weights_) {
    out.push_back(w->A);
    out.push_back(w->B);
  }
  return out;
}

NamedTensors LoraAdapter::named_parameters() const {
  NamedTensors out;
  for (const auto& [k, w] : weights_) {
    out.emplace_back(peft_key(k.first, k.second, 'A'), w->A);
    out.emplace_back(peft_key(k.first, k.second, 'B'), w->B);
  }
  return out;
}

void LoraAdapter::check_compatible(const ModelConfig& model) const {
  if (model.num_layers != num_layers_)
    throw Error("LoRA adapter has " + std::to_string(num_layers_) + " layers, the model " + std::to_string(model.num_layers));
  for (const auto& [k, w] : weights_) {
    auto [in, out] = projection_shape(model, k.second);
    if (w->A.size(1) != in || w->B.size(0) != out)
      throw Error("LoRA adapter for " + k.second + " of layer " + std::to_string(k.first) + " does not fit the model's shapes");
  }
}

void LoraAdapter::save(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(where(dir, 0, "cannot create folder: " + ec.message()));
  json j = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"base_model_name_or_path", config_.base_model},
      {"r", config_.r},
      {"lora_alpha", config_.alpha},
      {"lora_dropout", config_.dropout},
      {"target_modules", config_.targets},
      {"bias", "none"},
      {"fan_in_fan_out", false},
      {"use_rslora", config_.use_rslora},
      {"use_dora", false},
      {"init_lora_weights", true},
      {"modules_to_save", nullptr},
      {"layers_to_transform", nullptr},
      {"rank_pattern", json::object()},
      {"alpha_pattern", json::object()},
      {"inference_mode", false},
  };
  const fs::path cfg = fs::path(dir) / "adapter_config.json";
  ps::write_file_atomic(cfg.string(), j.dump(2) + "\n");
  save_safetensors((fs::path(dir) / "adapter_model.safetensors").string(), named_parameters());
}

std::shared_ptr<LoraAdapter> LoraAdapter::load(const std::string& dir, const ModelConfig& model, at::Device device,
                                               at::ScalarType dtype) {
  const std::string cfg_path = (fs::path(dir) / "adapter_config.json").string();
  std::error_code exists_ec;
  if (!fs::exists(cfg_path, exists_ec)) throw Error(where(cfg_path, 0, "cannot open (is this a PEFT adapter folder?)"));
  json j = read_json_file_strict(cfg_path);
  auto fail = [&](const std::string& key, const std::string& msg) { return Error(where(cfg_path, 0, "'" + key + "': " + msg)); };
  if (!j.is_object()) throw Error(where(cfg_path, 0, "not a JSON object"));
  auto flag = [&](const char* key) {
    if (!j.contains(key) || j[key].is_null()) return false;
    if (!j[key].is_boolean()) throw fail(key, "expected true or false, got " + j[key].dump());
    return j[key].get<bool>();
  };
  if (j.contains("peft_type") && !j["peft_type"].is_null() && j["peft_type"] != "LORA")
    throw fail("peft_type", "only LORA adapters are supported, got " + j["peft_type"].dump());
  LoraConfig c;
  if (!j.contains("r") || !j["r"].is_number_integer()) throw fail("r", "missing or not an integer");
  c.r = j["r"].get<int64_t>();
  if (j.contains("lora_alpha")) {
    if (!j["lora_alpha"].is_number()) throw fail("lora_alpha", "not a number");
    c.alpha = j["lora_alpha"].get<double>();
  } else {
    c.alpha = 8.0;  // PEFT's default
  }
  if (j.contains("lora_dropout") && j["lora_dropout"].is_number()) c.dropout = j["lora_dropout"].get<double>();
  if (j.contains("use_rslora") && j["use_rslora"].is_boolean()) c.use_rslora = j["use_rslora"].get<bool>();
  if (flag("use_dora")) throw fail("use_dora", "DoRA adapters are not supported");
  if (flag("fan_in_fan_out")) throw fail("fan_in_fan_out", "must be false for Llama/Qwen3 linears");
  if (j.contains("bias") && j["bias"].is_string() && j["bias"] != "none") throw fail("bias", "only \"none\" is supported");
  for (const char* key : {"rank_pattern", "alpha_pattern"})
    if (j.contains(key) && !j[key].is_null() && !j[key].empty()) throw fail(key, "per-module ranks/alphas are not supported");
  for (const char* key : {"layers_to_transform", "modules_to_save"})
    if (j.contains(key) && !j[key].is_null()) throw fail(key, "is not supported (must be null)");
  if (j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string())
    c.base_model = j["base_model_name_or_path"].get<std::string>();
  if (!j.contains("target_modules")) throw fail("target_modules", "missing");
  const json& tm = j["target_modules"];
  if (tm.is_string() && tm == "all-linear") {
    c.targets = projection_targets();
  } else if (tm.is_array()) {
    c.targets.clear();
    for (const auto& t : tm) {
      if (!t.is_string()) throw fail("target_modules", "expected module names");
      c.targets.push_back(t.get<std::string>());
    }
    // Keep PEFT's canonical order so the adapter's layout does not depend on the listing order.
    std::vector<std::string> ordered;
    for (const auto& t : projection_targets())
      if (std::find(c.targets.begin(), c.targets.end(), t) != c.targets.end()) ordered.push_back(t);
    if (ordered.size() != c.targets.size()) validate(c, cfg_path);  // reports the unknown name
    c.targets = ordered;
  } else {
    throw fail("target_modules", "expected a list of names or \"all-linear\"");
  }
  validate(c, cfg_path);

  const std::string st_path = (fs::path(dir) / "adapter_model.safetensors").string();
  if (!fs::exists(st_path)) throw Error(where(dir, 0, "no adapter_model.safetensors in this adapter folder" + pickle_files_hint(dir)));
  SafetensorsFile file(st_path);
  auto a = std::make_shared<LoraAdapter>();
  a->config_ = c;
  a->num_layers_ = model.num_layers;
  std::set<std::string> expected;
  for (int64_t n = 0; n < model.num_layers; ++n)
    for (const auto& t : c.targets) {
      auto [in_f, out_f] = projection_shape(model, t);
      auto w = std::make_shared<LoraWeights>();
      for (char which : {'A', 'B'}) {
        const std::string key = peft_key(n, t, which);
        expected.insert(key);
        const TensorEntry* e = file.find(key);
        if (!e) throw Error(where(st_path, 0, "missing tensor '" + key + "'"));
        std::vector<int64_t> want = which == 'A' ? std::vector<int64_t>{c.r, in_f} : std::vector<int64_t>{out_f, c.r};
        if (e->shape != want)
          throw Error(where(st_path, 0, "tensor '" + key + "' has the wrong shape for r=" + std::to_string(c.r) + " on this model"));
        if (e->dtype != "F32" && e->dtype != "F16" && e->dtype != "BF16")
          throw Error(where(st_path, 0, "tensor '" + key + "' has non-float dtype " + e->dtype));
        at::Tensor stored = file.read(key);
        require_finite(stored, st_path, key);
        at::Tensor t_ = stored.to(device, dtype);
        require_finite(t_, st_path, key, dtype);
        t_.requires_grad_(true);
        (which == 'A' ? w->A : w->B) = t_;
      }
      w->scaling = c.scaling();
      w->dropout = c.dropout;
      a->weights_[{n, t}] = w;
    }
  for (const auto& e : file.entries())
    if (!expected.count(e.name)) throw Error(where(st_path, 0, "unexpected tensor '" + e.name + "' for this adapter config and model"));
  return a;
}

}  // namespace ps::lm
