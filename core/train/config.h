// Run configurations of the training stack: every field with its unit and default, one
// validate() per struct (the CLI and the GUI launcher share it), read from the JSON files in
// configs/ with errors that name the file and the field ("configs/demo-sft.json: optim.lr: ...").
//
//   SftConfig c = SftConfig::load("configs/demo-sft.json");   // parses and validates
//   c.to_json()                                               // what the store records
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lm/lora.h"
#include "prompt/question.h"

namespace ps::train {

// Which items the pipeline uses (seed paper: train on K562, HepG2, Jurkat; RPE1 held out).
struct DataConfig {
  std::vector<std::string> train_cell_lines = {"k562", "hepg2", "jurkat"};
  std::string heldout_cell_line = "rpe1";  // "" = none; evaluated only, never trained on
  int64_t teacher_items = 4000;            // train-split items sent to the teacher (before its filter)
  double positive_rate = 0.4;              // DE share among them after upsampling; < 0 = natural
  int64_t eval_min_items = 3000;           // each evaluation set takes whole perturbers until >= this
  std::string data_dir;                    // "" = the usual lookup (README: data lookup order)
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct TeacherConfig {
  std::string kind = "evidence";  // "evidence" (built in, offline) | "endpoint" (OpenAI-compatible server)
  bool keep_all = false;          // false: keep only parseable, correct traces (the distillation recipe)
  nlohmann::json endpoint;        // the endpoint client's config (teach/endpoint_client.h) when kind = endpoint
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct TokenizerSpec {
  std::string path;        // tokenizer.json or a folder holding one; "" = train a byte-level BPE here
  int64_t merges = 2000;   // BPE merges when training (vocabulary = 256 + merges + 5 added tokens)
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct ModelSpec {
  std::string path;             // a Hugging Face folder (config.json + safetensors); "" = init from scratch
  // From scratch: a Qwen3 of these shapes (defaults: lm::tiny_qwen3_config), vocabulary from the tokenizer.
  int64_t hidden_size = 128, intermediate_size = 384, num_layers = 4, num_heads = 4, num_kv_heads = 2, head_dim = 32;
  int64_t max_position_embeddings = 2048;
  std::string device = "cpu";   // "cpu" | "cuda" | "cuda:N"
  std::string dtype = "auto";   // "auto" (float32 on cpu, bfloat16 on cuda) | float32 | bfloat16
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct OptimConfig {
  double lr = 1e-3;                 // peak learning rate
  double weight_decay = 0.0;        // AdamW decoupled weight decay
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::string schedule = "cosine";  // constant | constant_with_warmup | linear | cosine (lr_schedule.h)
  int64_t warmup_steps = 0;         // optimiser steps of linear warm-up
  double warmup_ratio = 0.0;        // alternative: fraction of all steps (used when warmup_steps == 0)
  double max_grad_norm = 1.0;       // global L2 clip before each step; 0 = off
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct EvalConfig {
  std::vector<std::string> sets = {"val", "heldout"};  // val | ttc_val | heldout
  int64_t max_new_tokens = 160;     // per answer (reasoning + JSON)
  int64_t batch_size = 32;          // prompts per generate() call
  double temperature = 0.0;         // 0 = greedy
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t bootstrap = 1000;         // resamples for the CIs
  int64_t every_steps = 0;          // validation during training every N optimiser steps; 0 = off
  int64_t during_training_items = 300;  // items of the val set used by those passes
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct SftLoopConfig {
  int64_t epochs = 1;               // passes over the kept traces (ignored when max_steps > 0)
  int64_t max_steps = 0;            // optimiser steps; 0 = epochs
  int64_t batch_size = 8;           // sequences per micro-batch
  int64_t grad_accum = 1;           // micro-batches per optimiser step
  int64_t max_seq_len = 1024;       // prompt + answer tokens; longer sequences are an error
  bool gradient_checkpointing = false;  // recompute each layer in backward (memory for time)
  int64_t checkpoint_every = 50;    // optimiser steps between checkpoints; 0 = only at the end
  int64_t threads = 0;              // CPU threads; 0 = all cores
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct SftConfig {
  std::string name = "sft";
  uint64_t seed = 1;
  DataConfig data;
  prompt::PromptConfig prompt;
  TeacherConfig teacher;
  TokenizerSpec tokenizer;
  ModelSpec model;
  std::string finetune = "full";    // "full" | "lora"
  lm::LoraConfig lora;              // when finetune = lora (PEFT fields)
  OptimConfig optim;
  SftLoopConfig train;
  EvalConfig eval;

  static SftConfig load(const std::string& path);                          // parse + validate
  static SftConfig from_json(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
  void validate(const std::string& file) const;  // cross-field rules; from_json calls it
};

// The LoRA fields of a config object (r, alpha, dropout, targets, use_rslora).
lm::LoraConfig read_lora(const nlohmann::json& j, const std::string& file, const std::string& path);
nlohmann::json lora_to_json(const lm::LoraConfig& c);
// Reads a JSON file; ps::Error naming it when absent, a folder, or not JSON.
nlohmann::json read_json_file(const std::string& path);

}  // namespace ps::train
