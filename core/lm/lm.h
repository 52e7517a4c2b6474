// The language-model runtime in one include: Hugging Face Llama/Qwen3 folders on libtorch.
//
//   using namespace ps::lm;
//   Model model = Model::load("models/Qwen3-0.6B", at::kCPU, at::kFloat);   // config.json + safetensors
//   GenerationConfig cfg;                      // greedy unless temperature > 0
//   cfg.max_new_tokens = 64;
//   cfg.stop_ids = model.config().eos_token_ids;
//   std::vector<Generation> out = generate(model, {{151644, 872, 198}}, cfg, decode);
//   // out[0].ids, out[0].logprobs, out[0].text, out[0].finish_reason
//
//   // One forward pass (training, scoring, the trace view): ids/positions [B, L] -> logits [B, L, V]
//   std::vector<at::Tensor> trace;             // embeddings, every layer's output, final norm
//   ForwardOptions opt;  opt.trace = &trace;
//   at::Tensor logits = model.forward(ids, positions, /*cache=*/nullptr, attention_mask, opt);
//
//   // LoRA (PEFT format): train A/B, keep the base frozen, use_adapter=false is the reference policy.
//   auto adapter = LoraAdapter::create(model.config(), LoraConfig{}, /*seed=*/0);
//   model.attach_adapter(adapter);             // adapter->parameters() go to the optimiser
//   adapter->save("runs/7/adapter");           // adapter_config.json + adapter_model.safetensors
//
//   // A model trained from scratch: tiny Qwen3 shapes, seeded init, saved in HF layout.
//   Model::init_random(tiny_qwen3_config(vocab), /*seed=*/1).save("models/tiny");
//
// Files, one concept each: config (config.json), safetensors (file format, sharded checkpoints),
// rmsnorm, rope, linear (+ LoRA term), attention (GQA, q/k norm, KV cache use), mlp (SwiGLU),
// kv_cache, model (weights, load/save, forward), sampler, generate, lora.
#pragma once
#include "lm/allocator.h"
#include "lm/config.h"
#include "lm/generate.h"
#include "lm/kv_cache.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "lm/safetensors.h"
#include "lm/sampler.h"
