#include "lm/model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "common/error.h"
#include "common/fileio.h"
#include "lm/lora.h"
#include "lm/mlp.h"
#include "lm/checkpointing.h"
#include "lm/rmsnorm.h"

namespace fs = std::filesystem;

namespace ps::lm {

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << "[";
  for (size_t k = 0; k < s.size(); ++k) o << (k ? ", " : "") << s[k];
  return o.str() + "]";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// num_hidden_layers against the layers the checkpoint holds ("model.layers.<n>." prefixes), so a
// count beyond them is reported as the config key it is rather than as one missing tensor.
void check_layer_count(const ModelConfig& c, const Checkpoint& ckpt, const std::string& config_path) {
  const std::string prefix = "model.layers.";
  int64_t layers = 0;
  for (const std::string& name : ckpt.names()) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const size_t end = name.find('.', prefix.size());
    const std::string digits = name.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    layers = std::max<int64_t>(layers, std::stoll(digits) + 1);
  }
  // Fewer layers than the config names: the config's count is wrong. More (or stray layer tensors)
  // are reported below as unexpected tensors, by name.
  if (layers < c.num_layers)
    throw Error(where(config_path, 0, "config key 'num_hidden_layers': " + std::to_string(c.num_layers) + ", but " +
                                          ckpt.description() + " holds " + std::to_string(layers) + " layers"));
}

}  // namespace

const std::vector<std::string>& projection_targets() {
  static const std::vector<std::string> t = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  return t;
}

std::string projection_name(int64_t layer, const std::string& target) {
  const bool attn = target == "q_proj" || target == "k_proj" || target == "v_proj" || target == "o_proj";
  return "model.layers." + std::to_string(layer) + (attn ? ".self_attn." : ".mlp.") + target + ".weight";
}

Linear& projection(LayerWeights& l, const std::string& t) {
  if (t == "q_proj") return l.self_attn.q_proj;
  if (t == "k_proj") return l.self_attn.k_proj;
  if (t == "v_proj") return l.self_attn.v_proj;
  if (t == "o_proj") return l.self_attn.o_proj;
  if (t == "gate_proj") return l.gate_proj;
  if (t == "up_proj") return l.up_proj;
  if (t == "down_proj") return l.down_proj;
  throw Error("unknown projection '" + t + "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj)");
}

Model::Model(ModelConfig config, at::Device device, at::ScalarType dtype)
    : config_(std::move(config)), device_(device), dtype_(dtype),
      rope_(config_.head_dim, config_.rope_theta, config_.max_position_embeddings, device) {}

// Places the named tensors into the weight structure (names as in expected_tensors()).
static void assign(ModelWeights& w, const ModelConfig& c, const std::map<std::string, at::Tensor>& t) {
  w.embed_tokens = t.at("model.embed_tokens.weight");
  w.layers.resize(c.num_layers);
  for (int64_t n = 0; n < c.num_layers; ++n) {
    const std::string p = "model.layers." + std::to_string(n) + ".";
    LayerWeights& l = w.layers[n];
    l.input_layernorm = t.at(p + "input_layernorm.weight");
    l.post_attention_layernorm = t.at(p + "post_attention_layernorm.weight");
    for (const auto& target : projection_targets()) projection(l, target).weight = t.at(projection_name(n, target));
    if (c.has_qk_norm()) {
      l.self_attn.q_norm = t.at(p + "self_attn.q_norm.weight");
      l.self_attn.k_norm = t.at(p + "self_attn.k_norm.weight");
    }
  }
  w.norm = t.at("model.norm.weight");
  w.lm_head.weight = c.tie_word_embeddings ? w.embed_tokens : t.at("lm_head.weight");

  // Stack q/k/v and gate/up so each group is one matrix product (fewer, larger kernels: decode at
  // small batch is dominated by per-operation overhead); the per-projection weights become views.
  for (LayerWeights& l : w.layers) {
    AttentionWeights& a = l.self_attn;
    a.qkv = at::cat({a.q_proj.weight, a.k_proj.weight, a.v_proj.weight}, 0);
    a.q_proj.weight = a.qkv.narrow(0, 0, c.q_size());
    a.k_proj.weight = a.qkv.narrow(0, c.q_size(), c.kv_size());
    a.v_proj.weight = a.qkv.narrow(0, c.q_size() + c.kv_size(), c.kv_size());
    if (c.has_qk_norm())
      a.qk_norm = at::cat({a.q_norm.expand({c.num_heads, c.head_dim}), a.k_norm.expand({c.num_kv_heads, c.head_dim})});
    l.gate_up = at::cat({l.gate_proj.weight, l.up_proj.weight}, 0);
    l.gate_proj.weight = l.gate_up.narrow(0, 0, c.intermediate_size);
    l.up_proj.weight = l.gate_up.narrow(0, c.intermediate_size, c.intermediate_size);
  }
}

Model Model::load(const std::string& dir, at::Device device, at::ScalarType dtype) {
  const std::string config_path = (fs::path(dir) / "config.json").string();
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(where(dir, 0, "model folder does not exist"));
  if (!fs::is_directory(dir, ec)) throw Error(where(dir, 0, "is a file, not a model folder (config.json + model.safetensors)"));
  const ModelConfig c = load_config(config_path);  // bounded shapes (config.h), before anything is sized by them
  Checkpoint ckpt(dir);                            // headers only
  check_layer_count(c, ckpt, config_path);

  // Every name, shape and dtype is checked against the headers before the model (its RoPE table)
  // is built or a tensor is read.
  const std::vector<TensorSpec> expected = expected_tensors(c);
  std::set<std::string> expected_names;
  for (const TensorSpec& e : expected) {
    expected_names.insert(e.name);
    const TensorEntry* entry = ckpt.find(e.name);
    if (!entry) throw Error(where(ckpt.description(), 0, "missing tensor '" + e.name + "' (required by " + config_path + ")"));
    const std::string& file = ckpt.file_of(e.name);
    if (entry->shape != e.shape)
      throw Error(where(file, 0, "tensor '" + e.name + "' has shape " + shape_str(entry->shape) + " but config.json implies " +
                                     shape_str(e.shape) + " (from " + e.config_keys + ")"));
    // config.json's (torch_)dtype is the dtype transformers loads in, not a rule about the stored one:
    // any floating-point tensor is accepted and cast to the requested dtype, as from_pretrained does.
    if (entry->dtype != "F32" && entry->dtype != "BF16" && entry->dtype != "F16")
      throw Error(where(file, 0, "tensor '" + e.name + "' has dtype " + entry->dtype +
                                     "; model weights must be F32, BF16 or F16"));
  }
  for (const std::string& name : ckpt.names()) {
    if (expected_names.count(name)) continue;
    if (ends_with(name, ".rotary_emb.inv_freq")) continue;                      // old Llama exports: recomputed
    if (name == "lm_head.weight" && c.tie_word_embeddings) continue;            // a tied head saved anyway
    throw Error(where(ckpt.file_of(name), 0, "unexpected tensor '" + name + "' (not part of the model config.json describes)"));
  }

  Model m(c, device, dtype);
  std::map<std::string, at::Tensor> tensors;
  for (const TensorSpec& e : expected) {
    const std::string& file = ckpt.file_of(e.name);
    at::Tensor stored = ckpt.read(e.name);
    require_finite(stored, file, e.name);  // NaN/inf weights would give token 0 with NaN log-probs
    at::Tensor cast = stored.to(device, dtype);
    if (dtype != stored.scalar_type()) require_finite(cast, file, e.name, dtype);
    tensors[e.name] = cast;
  }
  assign(m.w_, c, tensors);
  return m;
}

Model Model::init_random(const ModelConfig& config, uint64_t seed, at::Device device, at::ScalarType dtype) {
  Model m(config, device, dtype);
  at::Generator gen = at::detail::createCPUGenerator(seed);
  std::map<std::string, at::Tensor> tensors;
  for (const TensorSpec& e : expected_tensors(config)) {
    at::Tensor t;
    if (ends_with(e.name, "norm.weight")) t = at::ones(e.shape);
    else t = at::empty(e.shape).normal_(0.0, 0.02, gen);  // HF initializer_range
    tensors[e.name] = t.to(device, dtype);
  }
  assign(m.w_, config, tensors);
  m.config_.torch_dtype = dtype == at::kBFloat16 ? "bfloat16" : dtype == at::kHalf ? "float16" : "float32";
  return m;
}

NamedTensors Model::named_weights() const {
  std::map<std::string, at::Tensor> by_name;
  by_name["model.embed_tokens.weight"] = w_.embed_tokens;
  for (int64_t n = 0; n < config_.num_layers; ++n) {
    const std::string p = "model.layers." + std::to_string(n) + ".";
    LayerWeights& l = const_cast<LayerWeights&>(w_.layers[n]);
    by_name[p + "input_layernorm.weight"] = l.input_layernorm;
    by_name[p + "post_attention_layernorm.weight"] = l.post_attention_layernorm;
    for (const auto& target : projection_targets()) by_name[projection_name(n, target)] = projection(l, target).weight;
    if (config_.has_qk_norm()) {
      by_name[p + "self_attn.q_norm.weight"] = l.self_attn.q_norm;
      by_name[p + "self_attn.k_norm.weight"] = l.self_attn.k_norm;
    }
  }
  by_name["model.norm.weight"] = w_.norm;
  if (!config_.tie_word_embeddings) by_name["lm_head.weight"] = w_.lm_head.weight;
  NamedTensors out;
  for (const TensorSpec& e : expected_tensors(config_)) out.emplace_back(e.name, by_name.at(e.name));
  return out;
}

void Model::save(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(where(dir, 0, "cannot create folder: " + ec.message()));
  ModelConfig c = config_;
  c.torch_dtype = dtype_ == at::kBFloat16 ? "bfloat16" : dtype_ == at::kHalf ? "float16" : "float32";
  ps::write_file_atomic((fs::path(dir) / "config.json").string(), config_to_json(c));
  save_safetensors((fs::path(dir) / "model.safetensors").string(), named_weights());
}

at::Tensor Model::forward(const at::Tensor& ids, const at::Tensor& positions, KVCache* cache,
                          const at::Tensor& attention_mask, const ForwardOptions& opt) const {
  const int64_t B = ids.size(0), L = ids.size(1);
  forwarded_->fetch_add(B * L);
  at::Tensor ids_d = ids.to(device_, at::kLong);
  at::Tensor mask_d = attention_mask.defined() ? attention_mask.to(device_) : attention_mask;

  at::Tensor x = at::embedding(w_.embed_tokens, ids_d);  // [B, L, hidden]
  // Which key slots each query may see: causal by slot, minus padding.
  const int64_t offset = cache ? cache->length() : 0;
  // With a cache, positions are < offset + L (HF's cumsum(mask) − 1 never exceeds the slot index), which
  // sizes the RoPE table without a device sync; without one, the table reads the positions' maximum.
  // A continued cache (SequenceBatch) can hold holes, so its slots may run past the last position:
  // the table is capped at max_position_embeddings (SequenceBatch checks positions against it).
  // Not a structured binding: lambdas may capture those only from C++20 on (clang refuses it in C++17).
  const auto cos_sin = rope_.lookup(positions.to(device_, at::kLong), dtype_,
                                    cache ? std::min(offset + L, config_.max_position_embeddings) : -1);  // [B, 1, L, d]
  const at::Tensor cos = std::get<0>(cos_sin), sin = std::get<1>(cos_sin);

  at::Tensor key_mask = mask_d;
  bool has_padding = mask_d.defined();
  if (cache) {
    cache->set_mask(mask_d, L);
    key_mask = cache->mask_upto(L);  // [B, offset + L]
    has_padding = cache->has_padding();
  }
  at::Tensor bias = attention_bias(key_mask, offset, L, has_padding, device_, dtype_);  // [B, 1, L, T] or undefined

  if (opt.trace) opt.trace->push_back(x);
  for (int64_t n = 0; n < config_.num_layers; ++n) {
    const LayerWeights& l = w_.layers[n];
    // By value: a checkpointed layer runs again in backward, after this function has returned.
    ForwardOptions lopt = opt;
    lopt.trace = nullptr;
    auto layer = [this, n, cos, sin, bias, cache, lopt](const at::Tensor& xin) {
      const LayerWeights& lw = w_.layers[n];
      at::Tensor h = xin + self_attention(rms_norm(xin, lw.input_layernorm, config_.rms_norm_eps), lw.self_attn, config_,
                                          cos, sin, cache, n, bias, lopt);
      return h + swiglu_mlp(rms_norm(h, lw.post_attention_layernorm, config_.rms_norm_eps), lw.gate_up, lw.gate_proj,
                            lw.up_proj, lw.down_proj, lopt);
    };
    (void)l;
    // Gradient checkpointing: keep only the layer's input; recompute the layer in backward.
    if (opt.gradient_checkpointing && !cache && at::GradMode::is_enabled()) x = checkpointed_layer(layer, x);
    else x = layer(x);
    if (opt.trace) opt.trace->push_back(x);
  }
  if (cache) cache->advance(L);

  if (opt.last_position_only) x = x.narrow(1, L - 1, 1);
  x = rms_norm(x, w_.norm, config_.rms_norm_eps);
  if (opt.trace) opt.trace->push_back(x);
  (void)B;
  if (opt.return_hidden) return x;    // [B, L, hidden]
  return linear(x, w_.lm_head, opt);  // [B, L, vocab]
}

Model Model::clone() const {
  Model m(config_, device_, dtype_);
  std::map<std::string, at::Tensor> tensors;
  at::NoGradGuard no_grad;
  for (const auto& [name, t] : named_weights()) tensors[name] = t.detach().clone();
  assign(m.w_, config_, tensors);
  return m;
}

std::vector<std::pair<std::string, at::Tensor>> Model::set_trainable(bool trainable) {
  // The stored leaves: embed_tokens (= lm_head when tied), norms, the stacked qkv and gate_up
  // (q/k/v/gate/up_proj.weight are views of them), o_proj, down_proj, q_norm/k_norm, lm_head.
  std::vector<std::pair<std::string, at::Tensor>> out;
  auto leaf = [&](const std::string& name, at::Tensor& t) {
    t.requires_grad_(trainable);
    out.emplace_back(name, t);
  };
  leaf("model.embed_tokens.weight", w_.embed_tokens);
  for (int64_t n = 0; n < config_.num_layers; ++n) {
    const std::string p = "model.layers." + std::to_string(n) + ".";
    LayerWeights& l = w_.layers[n];
    leaf(p + "input_layernorm.weight", l.input_layernorm);
    leaf(p + "post_attention_layernorm.weight", l.post_attention_layernorm);
    leaf(p + "self_attn.qkv", l.self_attn.qkv);
    leaf(p + "self_attn.o_proj.weight", l.self_attn.o_proj.weight);
    if (config_.has_qk_norm()) {
      leaf(p + "self_attn.q_norm.weight", l.self_attn.q_norm);
      leaf(p + "self_attn.k_norm.weight", l.self_attn.k_norm);
    }
    leaf(p + "mlp.gate_up", l.gate_up);
    leaf(p + "mlp.down_proj.weight", l.down_proj.weight);
  }
  leaf("model.norm.weight", w_.norm);
  if (!config_.tie_word_embeddings) leaf("lm_head.weight", w_.lm_head.weight);
  // The views must be re-taken from the leaves so that they share their autograd identity.
  const ModelConfig& c = config_;
  for (LayerWeights& l : w_.layers) {
    AttentionWeights& a = l.self_attn;
    a.q_proj.weight = a.qkv.narrow(0, 0, c.q_size());
    a.k_proj.weight = a.qkv.narrow(0, c.q_size(), c.kv_size());
    a.v_proj.weight = a.qkv.narrow(0, c.q_size() + c.kv_size(), c.kv_size());
    l.gate_proj.weight = l.gate_up.narrow(0, 0, c.intermediate_size);
    l.up_proj.weight = l.gate_up.narrow(0, c.intermediate_size, c.intermediate_size);
  }
  if (c.tie_word_embeddings) w_.lm_head.weight = w_.embed_tokens;
  return out;
}

void Model::refresh_derived() {
  at::NoGradGuard no_grad;
  if (!config_.has_qk_norm()) return;
  for (LayerWeights& l : w_.layers) {
    AttentionWeights& a = l.self_attn;
    a.qk_norm = at::cat({a.q_norm.expand({config_.num_heads, config_.head_dim}),
                         a.k_norm.expand({config_.num_kv_heads, config_.head_dim})});
  }
}

void Model::attach_adapter(std::shared_ptr<LoraAdapter> adapter) {
  detach_adapter();
  if (!adapter) return;
  adapter->check_compatible(config_);
  for (int64_t n = 0; n < config_.num_layers; ++n)
    for (const auto& target : adapter->config().targets) projection(w_.layers[n], target).lora = adapter->get(n, target);
  adapter_ = std::move(adapter);
}

void Model::detach_adapter() {
  for (auto& l : w_.layers)
    for (const auto& target : projection_targets()) projection(l, target).lora.reset();
  adapter_.reset();
}

void Model::merge_adapter() {
  if (!adapter_) throw Error("merge_adapter: no adapter is attached");
  at::NoGradGuard no_grad;
  for (auto& l : w_.layers)
    for (const auto& target : projection_targets()) {
      Linear& p = projection(l, target);
      if (!p.lora) continue;
      // W' = W + scaling · (B · A), computed in float32 then stored in the model dtype
      at::Tensor delta = at::matmul(p.lora->B.to(at::kFloat), p.lora->A.to(at::kFloat)) * p.lora->scaling;
      p.weight.copy_(p.weight.to(at::kFloat) + delta.to(p.weight.device()));  // in place: may be a view of qkv/gate_up
    }
  detach_adapter();
}

}  // namespace ps::lm
