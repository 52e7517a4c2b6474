// A policy on disk and in memory: a Hugging Face model folder (config.json, model.safetensors,
// tokenizer.json, generation_config.json) plus an optional PEFT LoRA adapter folder.
//
//   Policy p = Policy::load("runs/12/model", "runs/12/adapter", device, dtype);
//   p.encode(text), p.decode(ids), p.stop_ids   // <|im_end|>, <|endoftext|> for Qwen3
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lm/model.h"
#include "lm/tokenizer/tokenizer.h"

namespace ps::train {

struct Policy {
  explicit Policy(tokenizer::Tokenizer t) : tok(std::move(t)) {}
  std::shared_ptr<lm::Model> model;  // shared: a training loop lends its model without a copy
  tokenizer::Tokenizer tok;
  std::vector<int64_t> stop_ids;   // lm::default_stop_ids (generation_config.json, config.json), else <|im_end|>
  std::string model_dir, adapter_dir;

  // tokenizer: a tokenizer.json or folder; "" = the model folder's. adapter "" = none.
  static Policy load(const std::string& model_dir, const std::string& adapter_dir = "", const std::string& tokenizer = "",
                     at::Device device = at::kCPU, at::ScalarType dtype = at::kFloat);
  std::vector<int64_t> encode(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = true) const;
};

// Writes generation_config.json with these eos ids.
void write_generation_config(const std::string& model_dir, const std::vector<int64_t>& eos_ids);

// "cpu", "cuda", "cuda:1" -> a device (ps::Error when CUDA is asked for and absent);
// "auto"/"float32"/"bfloat16" -> a dtype ("auto": bfloat16 on CUDA, float32 on the CPU).
at::Device parse_device(const std::string& s);
at::ScalarType parse_dtype(const std::string& s, at::Device device);

}  // namespace ps::train
