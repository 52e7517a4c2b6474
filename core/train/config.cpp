#include "train/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/json_file.h"
#include "teach/endpoint_client.h"
#include "train/json_fields.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::train {

json read_json_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a folder, expected a JSON file");
  return read_json_file_strict(path);  // rejects repeated keys and text after the document
}

void DataConfig::read(const json& j, const std::string& file) {
  Fields f(j, file, "data");
  f.strings("train_cell_lines", train_cell_lines);
  f.string("heldout_cell_line", heldout_cell_line);
  f.integer("teacher_items", teacher_items, 1, 10000000);
  if (f.has("positive_rate") && f.raw("positive_rate").is_string()) {
    if (f.raw("positive_rate") != "natural") f.fail("positive_rate", "must be a number in (0, 1) or \"natural\"");
    positive_rate = -1;
  } else {
    f.number("positive_rate", positive_rate, 0, 1, true, true);
  }
  f.integer("eval_min_items", eval_min_items, 1, 10000000);
  f.string("data_dir", data_dir);
  f.finish();
  static const std::vector<std::string> lines = {"k562", "rpe1", "hepg2", "jurkat"};
  auto known = [&](const std::string& c) { return std::find(lines.begin(), lines.end(), c) != lines.end(); };
  if (train_cell_lines.empty()) f.fail("train_cell_lines", "needs at least one cell line");
  for (const auto& c : train_cell_lines)
    if (!known(c)) f.fail("train_cell_lines", "unknown cell line \"" + c + "\" (k562, rpe1, hepg2, jurkat)");
  if (!heldout_cell_line.empty()) {
    if (!known(heldout_cell_line)) f.fail("heldout_cell_line", "unknown cell line \"" + heldout_cell_line + "\"");
    if (std::find(train_cell_lines.begin(), train_cell_lines.end(), heldout_cell_line) != train_cell_lines.end())
      f.fail("heldout_cell_line", "\"" + heldout_cell_line + "\" is also a training cell line");
  }
}

json DataConfig::to_json() const {
  json j = {{"train_cell_lines", train_cell_lines}, {"heldout_cell_line", heldout_cell_line},
            {"teacher_items", teacher_items}, {"eval_min_items", eval_min_items}};
  j["positive_rate"] = positive_rate < 0 ? json("natural") : json(positive_rate);
  if (!data_dir.empty()) j["data_dir"] = data_dir;
  return j;
}

void TeacherConfig::read(const json& j, const std::string& file) {
  Fields f(j, file, "teacher");
  f.choice("kind", kind, {"evidence", "endpoint"});
  f.boolean("keep_all", keep_all);
  f.boolean("trace_rate", trace_rate);
  if (const json* e = f.object("endpoint")) {
    endpoint = *e;
    teach::EndpointConfig::from_json(endpoint, file + ": teacher.endpoint");  // validates every field now
  }
  f.finish();
  if (kind == "endpoint" && endpoint.is_null()) f.fail("endpoint", "required when teacher.kind is \"endpoint\"");
}

json TeacherConfig::to_json() const {
  json j = {{"kind", kind}, {"keep_all", keep_all}, {"trace_rate", trace_rate}};
  if (!endpoint.is_null()) {
    json e = endpoint;
    e.erase("api_key");  // never recorded (the endpoint client refuses inline keys anyway)
    j["endpoint"] = e;
  }
  return j;
}

void TokenizerSpec::read(const json& j, const std::string& file) {
  Fields f(j, file, "tokenizer");
  f.string("path", path);
  f.integer("merges", merges, 1, 1000000);
  f.finish();
}

json TokenizerSpec::to_json() const { return {{"path", path}, {"merges", merges}}; }

void ModelSpec::read(const json& j, const std::string& file) {
  Fields f(j, file, "model");
  f.string("path", path);
  f.integer("hidden_size", hidden_size, 8, 65536);
  f.integer("intermediate_size", intermediate_size, 8, 262144);
  f.integer("num_layers", num_layers, 1, 512);
  f.integer("num_heads", num_heads, 1, 1024);
  f.integer("num_kv_heads", num_kv_heads, 1, 1024);
  f.integer("head_dim", head_dim, 2, 1024);
  f.integer("max_position_embeddings", max_position_embeddings, 16, 1 << 20);
  f.string("device", device);
  f.choice("dtype", dtype, {"auto", "float32", "bfloat16"});
  f.finish();
  if (num_heads % num_kv_heads != 0) f.fail("num_kv_heads", "must divide num_heads");
  if (head_dim % 2 != 0) f.fail("head_dim", "must be even (RoPE)");
  if (device != "cpu" && device != "cuda" && device.rfind("cuda:", 0) != 0)
    f.fail("device", "must be \"cpu\", \"cuda\" or \"cuda:N\", got \"" + device + "\"");
}

json ModelSpec::to_json() const {
  return {{"path", path}, {"hidden_size", hidden_size}, {"intermediate_size", intermediate_size},
          {"num_layers", num_layers}, {"num_heads", num_heads}, {"num_kv_heads", num_kv_heads},
          {"head_dim", head_dim}, {"max_position_embeddings", max_position_embeddings},
          {"device", device}, {"dtype", dtype}};
}

void OptimConfig::read(const json& j, const std::string& file) {
  Fields f(j, file, "optim");
  f.number("lr", lr, 0, 10, true);
  f.number("weight_decay", weight_decay, 0, 10);
  f.number("beta1", beta1, 0, 1, false, true);
  f.number("beta2", beta2, 0, 1, false, true);
  f.number("eps", eps, 0, 1, true);
  f.choice("schedule", schedule, {"constant", "constant_with_warmup", "linear", "cosine"});
  f.integer("warmup_steps", warmup_steps, 0, 100000000);
  f.number("warmup_ratio", warmup_ratio, 0, 1);
  f.number("max_grad_norm", max_grad_norm, 0, 1e9);
  f.finish();
}

json OptimConfig::to_json() const {
  return {{"lr", lr}, {"weight_decay", weight_decay}, {"beta1", beta1}, {"beta2", beta2}, {"eps", eps},
          {"schedule", schedule}, {"warmup_steps", warmup_steps}, {"warmup_ratio", warmup_ratio},
          {"max_grad_norm", max_grad_norm}};
}

void EvalConfig::read(const json& j, const std::string& file) {
  Fields f(j, file, "eval");
  f.strings("sets", sets);
  for (const auto& s : sets)
    if (s != "val" && s != "ttc_val" && s != "heldout") f.fail("sets", "unknown set \"" + s + "\" (val, ttc_val, heldout)");
  f.integer("max_new_tokens", max_new_tokens, 1, 1 << 20);
  f.integer("batch_size", batch_size, 1, 4096);
  f.number("temperature", temperature, 0, 100);
  f.number("top_p", top_p, 0, 1, true);
  f.integer("top_k", top_k, 0, 1 << 24);
  f.integer("bootstrap", bootstrap, 0, 1000000);
  f.integer("every_steps", every_steps, 0, 100000000);
  f.integer("during_training_items", during_training_items, 1, 10000000);
  f.finish();
}

json EvalConfig::to_json() const {
  return {{"sets", sets}, {"max_new_tokens", max_new_tokens}, {"batch_size", batch_size},
          {"temperature", temperature}, {"top_p", top_p}, {"top_k", top_k}, {"bootstrap", bootstrap},
          {"every_steps", every_steps}, {"during_training_items", during_training_items}};
}

void SftLoopConfig::read(const json& j, const std::string& file) {
  Fields f(j, file, "train");
  f.integer("epochs", epochs, 1, 100000);
  f.integer("max_steps", max_steps, 0, 100000000);
  f.integer("batch_size", batch_size, 1, 65536);
  f.integer("grad_accum", grad_accum, 1, 65536);
  f.integer("max_seq_len", max_seq_len, 16, 1 << 20);
  f.boolean("gradient_checkpointing", gradient_checkpointing);
  f.integer("checkpoint_every", checkpoint_every, 0, 100000000);
  f.integer("threads", threads, 0, 1024);
  f.finish();
}

json SftLoopConfig::to_json() const {
  return {{"epochs", epochs}, {"max_steps", max_steps}, {"batch_size", batch_size}, {"grad_accum", grad_accum},
          {"max_seq_len", max_seq_len}, {"gradient_checkpointing", gradient_checkpointing},
          {"checkpoint_every", checkpoint_every}, {"threads", threads}};
}

lm::LoraConfig read_lora(const json& j, const std::string& file, const std::string& path) {
  lm::LoraConfig c;
  Fields f(j, file, path);
  f.integer("r", c.r, 1, 4096);
  f.number("alpha", c.alpha, 0, 1e6, true);
  f.number("dropout", c.dropout, 0, 1, false, true);
  f.boolean("use_rslora", c.use_rslora);
  if (f.has("targets") && f.raw("targets").is_string()) {
    if (f.raw("targets") != "all-linear") f.fail("targets", "must be a list of projection names or \"all-linear\"");
    c.targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  } else {
    f.strings("targets", c.targets);
  }
  f.finish();
  static const std::vector<std::string> all = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  if (c.targets.empty()) f.fail("targets", "needs at least one projection");
  for (const auto& t : c.targets)
    if (std::find(all.begin(), all.end(), t) == all.end())
      f.fail("targets", "unknown projection \"" + t + "\" (q_proj k_proj v_proj o_proj gate_proj up_proj down_proj)");
  return c;
}

json lora_to_json(const lm::LoraConfig& c) {
  return {{"r", c.r}, {"alpha", c.alpha}, {"dropout", c.dropout}, {"use_rslora", c.use_rslora}, {"targets", c.targets}};
}

SftConfig SftConfig::load(const std::string& path) { return from_json(read_json_file(path), path); }

SftConfig SftConfig::from_json(const json& j, const std::string& file) {
  SftConfig c;
  Fields f(j, file, "");
  std::string kind = "sft";
  f.choice("kind", kind, {"sft"});
  f.string("name", c.name);
  int64_t seed = static_cast<int64_t>(c.seed);
  f.integer("seed", seed, 0, INT64_MAX);
  c.seed = static_cast<uint64_t>(seed);
  if (const json* o = f.object("data")) c.data.read(*o, file);
  if (const json* o = f.object("prompt")) c.prompt = prompt::PromptConfig::from_json(*o, file);
  if (const json* o = f.object("teacher")) c.teacher.read(*o, file);
  if (const json* o = f.object("tokenizer")) c.tokenizer.read(*o, file);
  if (const json* o = f.object("model")) c.model.read(*o, file);
  f.choice("finetune", c.finetune, {"full", "lora"});
  if (const json* o = f.object("lora")) c.lora = read_lora(*o, file, "lora");
  if (const json* o = f.object("optim")) c.optim.read(*o, file);
  if (const json* o = f.object("train")) c.train.read(*o, file);
  if (const json* o = f.object("eval")) c.eval.read(*o, file);
  f.finish();
  c.validate(file);
  return c;
}

void SftConfig::validate(const std::string& file) const {
  if (model.path.empty() && finetune == "lora")
    throw Error(file + ": finetune: \"lora\" needs a pretrained model.path (a model trained from scratch is fully fine-tuned)");
  prompt.validate(file);
  if (static_cast<int64_t>(prompt.max_prompt_tokens) >= train.max_seq_len)
    throw Error(file + ": prompt.max_prompt_tokens (" + std::to_string(prompt.max_prompt_tokens) +
                ") must be below train.max_seq_len (" + std::to_string(train.max_seq_len) + ")");
  if (model.path.empty() && static_cast<int64_t>(prompt.max_prompt_tokens) + eval.max_new_tokens > model.max_position_embeddings)
    throw Error(file + ": prompt.max_prompt_tokens + eval.max_new_tokens exceeds model.max_position_embeddings");
}

json SftConfig::to_json() const {
  return {{"kind", "sft"},
          {"name", name},
          {"seed", seed},
          {"data", data.to_json()},
          {"prompt", prompt.to_json()},
          {"teacher", teacher.to_json()},
          {"tokenizer", tokenizer.to_json()},
          {"model", model.to_json()},
          {"finetune", finetune},
          {"lora", lora_to_json(lora)},
          {"optim", optim.to_json()},
          {"train", train.to_json()},
          {"eval", eval.to_json()}};
}

void GrpoKnobs::read(const json& j, const std::string& file) {
  Fields f(j, file, "grpo");
  f.integer("num_generations", num_generations, 2, 1024);
  f.integer("batch_completions", batch_completions, 2, 1 << 20);
  f.integer("micro_batch", micro_batch, 1, 1 << 20);
  f.number("temperature", temperature, 0, 100, true);
  f.number("top_p", top_p, 0, 1, true);
  f.integer("top_k", top_k, 0, 1 << 24);
  f.integer("max_completion_length", max_completion_length, 1, 1 << 20);
  f.boolean("mask_truncated_completions", mask_truncated_completions);
  f.integer("num_iterations", num_iterations, 1, 1000);
  f.number("epsilon_low", epsilon_low, 0, 1, false, true);
  f.number("epsilon_high", epsilon_high, 0, 100);
  f.number("delta", delta, 0, 1e6);
  f.number("beta", beta, 0, 1e6);
  f.choice("loss_type", loss_type, {"grpo", "bnpo", "dr_grpo", "dapo"});
  if (f.has("scale_rewards") && f.raw("scale_rewards").is_boolean())
    scale_rewards = f.raw("scale_rewards").get<bool>() ? "group" : "none";
  else
    f.choice("scale_rewards", scale_rewards, {"none", "group", "batch"});
  f.choice("reward", reward, {"rlcr", "rlvr"});
  f.number("parse_penalty", parse_penalty, 0, 1e6, true);
  f.boolean("learnability_filter", learnability_filter);
  f.integer("pool_items", pool_items, 1, 10000000);
  f.integer("filter_refresh_steps", filter_refresh_steps, 0, 100000000);
  if (f.has("positive_rate") && f.raw("positive_rate").is_string()) {
    if (f.raw("positive_rate") != "natural") f.fail("positive_rate", "must be a number in (0, 1) or \"natural\"");
    positive_rate = -1;
  } else {
    f.number("positive_rate", positive_rate, 0, 1, true, true);
  }
  f.integer("max_steps", max_steps, 1, 100000000);
  f.integer("checkpoint_every", checkpoint_every, 0, 100000000);
  f.integer("log_samples", log_samples, 0, 1 << 20);
  f.integer("threads", threads, 0, 1024);
  f.boolean("gradient_checkpointing", gradient_checkpointing);
  f.finish();
  if (batch_completions % num_generations != 0)
    f.fail("batch_completions", std::to_string(batch_completions) + " is not a multiple of num_generations (" +
                                    std::to_string(num_generations) + "): every prompt needs its whole group");
  if (delta != 0 && delta <= 1 + epsilon_high) f.fail("delta", "must be > 1 + epsilon_high (or 0 = off)");
}

json GrpoKnobs::to_json() const {
  return {{"num_generations", num_generations}, {"batch_completions", batch_completions}, {"micro_batch", micro_batch},
          {"temperature", temperature}, {"top_p", top_p}, {"top_k", top_k},
          {"max_completion_length", max_completion_length}, {"mask_truncated_completions", mask_truncated_completions},
          {"num_iterations", num_iterations}, {"epsilon_low", epsilon_low}, {"epsilon_high", epsilon_high},
          {"delta", delta}, {"beta", beta}, {"loss_type", loss_type}, {"scale_rewards", scale_rewards},
          {"reward", reward}, {"parse_penalty", parse_penalty}, {"learnability_filter", learnability_filter},
          {"pool_items", pool_items}, {"filter_refresh_steps", filter_refresh_steps},
          {"positive_rate", positive_rate < 0 ? json("natural") : json(positive_rate)}, {"max_steps", max_steps},
          {"checkpoint_every", checkpoint_every}, {"log_samples", log_samples}, {"threads", threads},
          {"gradient_checkpointing", gradient_checkpointing}};
}

void GrpoInit::read(const json& j, const std::string& file) {
  Fields f(j, file, "init");
  f.integer("sft_run", sft_run, 1, INT64_MAX);
  f.string("model", model);
  f.string("adapter", adapter);
  f.choice("lora_reference", lora_reference, {"merge", "continue"});
  f.finish();
  if ((sft_run > 0) == !model.empty()) f.fail("sft_run", "give exactly one of init.sft_run and init.model");
  if (!adapter.empty() && model.empty()) f.fail("adapter", "needs init.model");
}

json GrpoInit::to_json() const {
  return {{"sft_run", sft_run}, {"model", model}, {"adapter", adapter}, {"lora_reference", lora_reference}};
}

GrpoConfig GrpoConfig::load(const std::string& path) { return from_json(read_json_file(path), path); }

GrpoConfig GrpoConfig::from_json(const json& j, const std::string& file) {
  GrpoConfig c;
  Fields f(j, file, "");
  std::string kind = "grpo";
  f.choice("kind", kind, {"grpo"});
  f.string("name", c.name);
  int64_t seed = static_cast<int64_t>(c.seed);
  f.integer("seed", seed, 0, INT64_MAX);
  c.seed = static_cast<uint64_t>(seed);
  if (const json* o = f.object("init")) c.init.read(*o, file);
  else f.fail("init", "required: {\"sft_run\": ID} or {\"model\": DIR}");
  if (const json* o = f.object("data")) {
    c.data.read(*o, file);
    c.data_given = true;
  }
  if (const json* o = f.object("prompt")) {
    c.prompt = prompt::PromptConfig::from_json(*o, file);
    c.prompt_given = true;
  }
  f.choice("finetune", c.finetune, {"auto", "full", "lora"});
  if (const json* o = f.object("lora")) c.lora = read_lora(*o, file, "lora");
  if (const json* o = f.object("grpo")) c.grpo.read(*o, file);
  if (const json* o = f.object("optim")) c.optim.read(*o, file);
  if (const json* o = f.object("eval")) c.eval.read(*o, file);
  f.finish();
  c.validate(file);
  return c;
}

void GrpoConfig::validate(const std::string& file) const {
  if (grpo.micro_batch > grpo.batch_completions)
    throw Error(file + ": grpo.micro_batch (" + std::to_string(grpo.micro_batch) + ") exceeds grpo.batch_completions (" +
                std::to_string(grpo.batch_completions) + ")");
  if (grpo.batch_completions % grpo.micro_batch != 0)
    throw Error(file + ": grpo.batch_completions (" + std::to_string(grpo.batch_completions) +
                ") is not a multiple of grpo.micro_batch (" + std::to_string(grpo.micro_batch) + ")");
  if (grpo.learnability_filter && grpo.pool_items * 1 < grpo.batch_completions / grpo.num_generations)
    throw Error(file + ": grpo.pool_items is smaller than the prompts of one step");
  prompt.validate(file);
}

json GrpoConfig::to_json() const {
  json j = {{"kind", "grpo"}, {"name", name}, {"seed", seed}, {"init", init.to_json()}, {"finetune", finetune}, {"lora", lora_to_json(lora)}, {"grpo", grpo.to_json()},
            {"optim", optim.to_json()}, {"eval", eval.to_json()}};
  if (prompt_given) j["prompt"] = prompt.to_json();
  if (data_given) j["data"] = data.to_json();
  return j;
}

}  // namespace ps::train
