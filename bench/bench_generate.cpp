// Prefill and decode throughput of our runtime (lm::generate, greedy, KV cache) at several
// batch sizes, for a model folder or a randomly initialised model of a named shape.
//
//   bench_generate (--model DIR | --random qwen3-0.6b|tiny-qwen3) [--batch 1 8] [--prompt-len P]
//                  [--new-tokens N] [--repeats R] [--threads=N] [--device=cpu|cuda]
//                  [--logits-out FILE]
//
// Prints one JSON object: {"model", "runs": [{"batch", "prompt_len", "new_tokens", "prefill_s",
// "decode_s", "prefill_tokens_per_s", "decode_tokens_per_s", "generated_ids"}], ...}.
// The prompt is the one bench/peers/torch_model.py uses: row b, position t ->
// (1 + 7919·t + 104729·b) mod vocab, no padding. decode_tokens_per_s counts the
// new_tokens − 1 decode steps (the first new token comes from the prefill).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/version.h>
#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "common/error.h"
#include "lm/allocator.h"
#include "lm/cpu_threads.h"
#include "lm/generate.h"
#include "lm/model.h"

using namespace ps::lm;

namespace {

std::vector<std::vector<int64_t>> bench_prompt(int64_t batch, int64_t length, int64_t vocab) {
  std::vector<std::vector<int64_t>> p(batch, std::vector<int64_t>(length));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < length; ++t) p[b][t] = (1 + 7919 * t + 104729 * b) % vocab;
  return p;
}

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr, "bench_generate: %s\nusage: bench_generate (--model DIR | --random qwen3-0.6b|tiny-qwen3) "
                       "[--batch 1 8] [--prompt-len P] [--new-tokens N] [--repeats R] [--threads=N] "
                       "[--device=cpu|cuda] [--logits-out FILE]\n", msg.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  ps::lm::restart_with_passive_openmp_waits(argv);  // see lm/cpu_threads.h
  ps::bench::Options opt = ps::bench::take_options(&argc, argv);
  std::string model_dir, random_shape, logits_out;
  std::vector<int64_t> batches;
  int64_t prompt_len = 32, new_tokens = 32, repeats = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model") model_dir = value();
    else if (a == "--random") random_shape = value();
    else if (a == "--prompt-len") prompt_len = std::atoll(value().c_str());
    else if (a == "--new-tokens") new_tokens = std::atoll(value().c_str());
    else if (a == "--repeats") repeats = std::atoll(value().c_str());
    else if (a == "--logits-out") logits_out = value();
    else if (a == "--batch") {
      while (i + 1 < argc && argv[i + 1][0] != '-') batches.push_back(std::atoll(argv[++i]));
    } else usage("unknown option " + a);
  }
  if (batches.empty()) batches = {1, 8};
  if (model_dir.empty() == random_shape.empty()) usage("give exactly one of --model, --random");
  if (prompt_len < 1 || new_tokens < 1 || repeats < 1) usage("--prompt-len, --new-tokens, --repeats must be >= 1");

  try {
    at::set_num_threads(opt.threads);
    keep_freed_memory_for_reuse();  // as the CLI does; see lm/allocator.h
    const at::Device device = opt.device == "cuda" ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    const at::ScalarType dtype = device.is_cuda() ? at::kBFloat16 : at::kFloat;
    auto t0 = std::chrono::steady_clock::now();
    Model model = [&] {
      if (!model_dir.empty()) return Model::load(model_dir, device, dtype);
      if (random_shape == "qwen3-0.6b") return Model::init_random(qwen3_0_6b_config(), 0, device, dtype);
      if (random_shape == "tiny-qwen3") return Model::init_random(tiny_qwen3_config(), 0, device, dtype);
      usage("unknown --random shape '" + random_shape + "'");
    }();
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    nlohmann::json out{{"model", model_dir.empty() ? "random " + random_shape : model_dir},
                       {"impl", std::string("PerturbScope lm (C++/libtorch ") + TORCH_VERSION + ")"},
                       {"threads", opt.threads},
                       {"device", opt.device},
                       {"dtype", std::string(dtype == at::kFloat ? "float32" : "bfloat16")},
                       {"load_s", load_s},
                       {"params", model.config().num_parameters()}};
    nlohmann::json runs = nlohmann::json::array(), dumped = nlohmann::json::object();
    GenerationConfig cfg;  // greedy, no stop ids: always new_tokens tokens
    cfg.max_new_tokens = new_tokens;
    for (int64_t B : batches) {
      auto prompts = bench_prompt(B, prompt_len, model.config().vocab_size);
      {  // warm-up: allocator, thread pool, first-touch of the weights
        GenerationConfig w = cfg;
        w.max_new_tokens = 2;
        auto short_prompts = bench_prompt(B, std::min<int64_t>(4, prompt_len), model.config().vocab_size);
        generate(model, short_prompts, w);
      }
      double best_p = 1e300, best_d = 1e300;
      std::vector<Generation> gen;
      for (int64_t r = 0; r < repeats; ++r) {
        GenerationStats s;
        gen = generate(model, prompts, cfg, {}, &s);
        best_p = std::min(best_p, s.prefill_seconds);
        best_d = std::min(best_d, s.decode_seconds);
      }
      nlohmann::json ids = nlohmann::json::array();
      for (const auto& g : gen) ids.push_back(g.ids);
      runs.push_back({{"batch", B},
                      {"prompt_len", prompt_len},
                      {"new_tokens", new_tokens},
                      {"prefill_s", best_p},
                      {"decode_s", best_d},
                      {"prefill_tokens_per_s", B * prompt_len / best_p},
                      {"decode_tokens_per_s", new_tokens > 1 ? B * (new_tokens - 1) / best_d : 0.0},
                      {"generated_ids", ids}});
      if (!logits_out.empty()) {  // the prefill's last-position logits, for the driver's cross-check
        c10::InferenceMode guard;
        std::vector<int64_t> flat;
        for (const auto& p : prompts) flat.insert(flat.end(), p.begin(), p.end());
        at::Tensor idt = at::tensor(flat, at::kLong).view({B, prompt_len});
        at::Tensor pos = at::arange(prompt_len, at::kLong).repeat({B, 1});
        ForwardOptions fo;
        fo.last_position_only = true;
        at::Tensor logits = model.forward(idt, pos, nullptr, {}, fo).select(1, 0).to(at::kCPU, at::kFloat).contiguous();
        nlohmann::json rows = nlohmann::json::array();
        for (int64_t b = 0; b < B; ++b) {
          const float* p = logits[b].data_ptr<float>();
          rows.push_back(std::vector<float>(p, p + logits.size(1)));
        }
        dumped[std::to_string(B)] = rows;
      }
    }
    out["runs"] = runs;
    if (!logits_out.empty()) std::ofstream(logits_out) << dumped.dump();
    std::printf("%s\n", out.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_generate: %s\n", e.what());
    return 1;
  }
  return 0;
}
