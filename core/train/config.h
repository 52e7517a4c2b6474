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
  // Evidence teacher: the trace restates the target's train DE rate ("DE after 12% of 850 training
  // knockdowns"). false: the trace states the neighbours' hits only and the answer reads the rate
  // from the prompt (a small model that miscopies the rate adds noise within each target gene).
  bool trace_rate = true;
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
  int64_t max_seq_len = 2048;       // prompt + answer tokens; longer sequences are an error
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

// GRPO's own knobs (TRL's names; pipeline-facts A). Units: completions, tokens, optimiser steps.
struct GrpoKnobs {
  int64_t num_generations = 8;        // K completions per prompt (a group)
  int64_t batch_completions = 16;     // completions per optimiser step (TRL's effective batch); a multiple of K
  int64_t micro_batch = 16;           // completions per forward/backward (gradient accumulation splits the step)
  double temperature = 1.0;           // sampling temperature; log-probs use logits / temperature (TRL)
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t max_completion_length = 256;
  bool mask_truncated_completions = true;  // completions without EOS are left out of the loss
  int64_t num_iterations = 1;         // optimiser steps per generation batch (μ); old log-probs fixed at generation
  double epsilon_low = 0.2, epsilon_high = 0.2;  // PPO clip of the ratio
  double delta = 0;                   // > 0: cap of the unclipped ratio (INTELLECT-2); 0 = off
  double beta = 0.04;                 // weight of the k3 KL to the reference (SFT) policy; 0 = no reference pass
  std::string loss_type = "bnpo";     // grpo | bnpo | dr_grpo | dapo
  std::string scale_rewards = "none"; // none | group | batch
  std::string reward = "rlcr";        // rlcr (correct + 1 - (P(DE) - y)^2) | rlvr (correct)
  double parse_penalty = 0.5;         // an unparseable completion's reward is -parse_penalty (< every parseable one)
  bool learnability_filter = true;    // keep pool prompts with 1..K-1 correct rollouts of the current policy
  int64_t pool_items = 256;           // prompts scored for the filter (train split, natural DE rate)
  int64_t filter_refresh_steps = 0;   // re-score the pool every N optimiser steps; 0 = once at the start
  double positive_rate = 0.4;         // DE share among training prompts after upsampling; < 0 = natural
  int64_t max_steps = 100;            // optimiser steps
  int64_t checkpoint_every = 20;      // optimiser steps; 0 = only at the end
  int64_t log_samples = 4;            // rollout samples kept in the store per step (whole groups)
  int64_t threads = 0;                // CPU threads; 0 = all cores
  bool gradient_checkpointing = false;  // recompute each layer in backward (memory for time)
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

// The policy GRPO starts from and the reference it stays close to.
struct GrpoInit {
  int64_t sft_run = 0;          // a finished SFT run in the store (its model, adapter, prompt settings) ...
  std::string model, adapter;   // ... or folders
  // LoRA runs: "merge" folds the SFT adapter into the weights and trains a new one (reference =
  // the merged weights with the adapter off); "continue" trains the SFT adapter on (reference = a
  // frozen copy of it). Full fine-tuning: the reference is a frozen copy of the starting weights.
  std::string lora_reference = "merge";
  void read(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
};

struct GrpoConfig {
  std::string name = "grpo";
  uint64_t seed = 1;
  GrpoInit init;
  DataConfig data;                  // the prompt pool's cell lines; default: the SFT run's
  bool data_given = false;          // whether the config set "data" (else the SFT run's is used)
  prompt::PromptConfig prompt;      // default: the SFT run's
  bool prompt_given = false;        // whether the config set "prompt" (else the SFT run's is used)
  std::string finetune = "auto";    // auto (as the SFT run) | full | lora
  lm::LoraConfig lora;              // a new adapter (lora_reference = merge)
  GrpoKnobs grpo;
  OptimConfig optim;
  EvalConfig eval;

  static GrpoConfig load(const std::string& path);
  static GrpoConfig from_json(const nlohmann::json& j, const std::string& file);
  nlohmann::json to_json() const;
  void validate(const std::string& file) const;
};

// The LoRA fields of a config object (r, alpha, dropout, targets, use_rslora).
lm::LoraConfig read_lora(const nlohmann::json& j, const std::string& file, const std::string& path);
nlohmann::json lora_to_json(const lm::LoraConfig& c);
// Reads a JSON file strictly (common/json_file.h); ps::Error naming it when absent, a folder, not
// JSON, followed by other text, or when an object repeats a key (naming the key).
nlohmann::json read_json_file(const std::string& path);

}  // namespace ps::train
