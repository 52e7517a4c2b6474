// perturbscope-cli generate: continue a prompt with a Qwen3/Llama model folder (HF layout),
// optionally under a PEFT LoRA adapter. Prints the generated ids, text, per-token log-probs
// and the measured tokens/s.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/model_options.h"
#include "common/error.h"
#include "lm/allocator.h"
#include "lm/generate.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "lm/stop_ids.h"
#include "lm/tokenizer/tokenizer.h"

namespace fs = std::filesystem;

namespace ps::cli {

namespace {

std::vector<int64_t> parse_id_list(const std::string& option, const std::string& list) {
  std::vector<int64_t> ids;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) throw UsageError("generate: --" + option + " has an empty item in '" + list + "'");
    item = item.substr(b, e - b + 1);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || v < 0) throw UsageError("generate: --" + option + ": '" + item + "' is not a token id");
    ids.push_back(v);
  }
  if (ids.empty()) throw UsageError("generate: --" + option + " is empty");
  return ids;
}

}  // namespace

int cmd_generate(const Argv& argv) {
  Args args("generate", argv,
            {{"model", true, "model folder: config.json + model.safetensors (required)"},
             {"prompt-ids", true, "comma-separated prompt token ids, e.g. 1,403,407"},
             {"prompt", true, "prompt text (needs a tokenizer.json in the model folder or --tokenizer)"},
             {"tokenizer", true, "tokenizer.json or a folder holding one (default: the model folder's)"},
             {"max-new-tokens", true, "tokens to generate at most (default 64)"},
             {"temperature", true, "sampling temperature; 0 = greedy (default 0)"},
             {"top-p", true, "nucleus sampling mass in (0, 1] (default 1)"},
             {"top-k", true, "sample among the k most likely tokens; 0 = off (default 0)"},
             {"seed", true, "random seed for sampling (default 0)"},
             {"stop", true, "stop when the text contains this string (needs a tokenizer)"},
             {"stop-ids", true, "comma-separated stop token ids (default: the model's eos ids)"},
             {"no-stop", false, "ignore eos ids: always generate --max-new-tokens"},
             {"adapter", true, "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)"},
             {"device", true, "cpu or cuda[:N] (default cpu)"},
             {"dtype", true, "float32, bfloat16 or float16 (cuda only; default float32 on cpu, bfloat16 on cuda)"},
             {"json", false, "print JSON"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli generate --model DIR (--prompt-ids IDS | --prompt TEXT) [--max-new-tokens N] "
                "[--temperature T] [--top-p P] [--top-k K] [--seed S] [--adapter DIR] [--json]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("generate: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("model")) throw UsageError("generate: --model is required");
  if (args.has("prompt") == args.has("prompt-ids")) throw UsageError("generate: give exactly one of --prompt, --prompt-ids");

  lm::GenerationConfig cfg;
  constexpr long kLongMax = std::numeric_limits<long>::max();
  cfg.max_new_tokens = args.get_int("max-new-tokens", 64, 0, kLongMax);  // and <= the model's context: lm::generate
  cfg.temperature = args.get_double("temperature", 0.0, 0.0, 1e6);
  cfg.top_p = args.get_double("top-p", 1.0, 0.0, 1.0);
  if (!(cfg.top_p > 0)) throw UsageError("generate: --top-p must be in (0, 1], got " + args.get("top-p"));
  cfg.top_k = args.get_int("top-k", 0, 0, kLongMax);
  const long seed = args.get_int("seed", 0, 0, kLongMax);
  cfg.seed = static_cast<uint64_t>(seed);

  const std::string model_dir = args.get("model");
  const at::Device device = parse_device("generate", args.get("device", "cpu"));
  const at::ScalarType dtype = parse_dtype("generate", args.get("dtype", device.is_cuda() ? "bfloat16" : "float32"), device);

  // The tokenizer: explicit, or the model folder's tokenizer.json when there is one.
  std::optional<tokenizer::Tokenizer> tok;
  if (args.has("tokenizer")) tok = tokenizer::Tokenizer::from_file(args.get("tokenizer"));
  else if (fs::exists(fs::path(model_dir) / "tokenizer.json")) tok = tokenizer::Tokenizer::from_file(model_dir);
  if (args.has("prompt") && !tok)
    throw UsageError("generate: --prompt needs a tokenizer: the model folder has no tokenizer.json; pass --tokenizer");
  if (args.has("stop") && !tok) throw UsageError("generate: --stop needs a tokenizer (pass --tokenizer)");
  lm::Decoder decode;
  if (tok) {
    decode = [&tok](const std::vector<int64_t>& ids) {
      return tok->decode(std::vector<int32_t>(ids.begin(), ids.end()), /*skip_special=*/true);
    };
  }

  lm::keep_freed_memory_for_reuse();
  lm::Model model = lm::Model::load(model_dir, device, dtype);
  if (args.has("adapter")) model.attach_adapter(lm::LoraAdapter::load(args.get("adapter"), model.config(), device, dtype));

  std::vector<int64_t> prompt;
  if (args.has("prompt")) {
    for (int32_t id : tok->encode(args.get("prompt"))) prompt.push_back(id);
    if (prompt.empty()) throw UsageError("generate: --prompt encodes to no tokens");
  } else {
    prompt = parse_id_list("prompt-ids", args.get("prompt-ids"));
  }
  if (!args.has("no-stop")) cfg.stop_ids = args.has("stop-ids") ? parse_id_list("stop-ids", args.get("stop-ids"))
                                                                 : lm::default_stop_ids(model_dir, model.config());
  if (args.has("stop")) cfg.stop_strings = {args.get("stop")};

  lm::GenerationStats stats;
  const lm::Generation g = lm::generate(model, {prompt}, cfg, decode, &stats)[0];
  const double seconds = stats.prefill_seconds + stats.decode_seconds;
  const double tokens_per_second = seconds > 0 ? g.generated_tokens / seconds : 0;

  if (args.has("json")) {
    nlohmann::json out{{"model", model_dir},
                       {"prompt_ids", g.prompt_ids},
                       {"ids", g.ids},
                       {"text", g.text},
                       {"logprobs", g.logprobs},
                       {"finish_reason", g.finish_reason},
                       {"prompt_tokens", g.prompt_tokens},
                       {"generated_tokens", g.generated_tokens},
                       {"seconds", seconds},
                       {"tokens_per_second", tokens_per_second},
                       {"prefill_tokens_per_second", stats.prefill_tokens_per_second()},
                       {"decode_tokens_per_second", stats.decode_tokens_per_second()},
                       {"device", device.str()},
                       {"dtype", dtype_name(dtype)}};
    if (model.adapter()) out["adapter"] = args.get("adapter");
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    if (tok) std::printf("%s\n", g.text.c_str());
    std::string line;
    for (size_t k = 0; k < g.ids.size(); ++k) line += (k ? "," : "") + std::to_string(g.ids[k]);
    std::printf("ids: %s\n", line.c_str());
    std::fprintf(stderr, "%lld prompt + %lld generated tokens (%s) in %.3f s: %.1f tokens/s (decode %.1f tokens/s)\n",
                 static_cast<long long>(g.prompt_tokens), static_cast<long long>(g.generated_tokens),
                 g.finish_reason.c_str(), seconds, tokens_per_second, stats.decode_tokens_per_second());
  }
  return 0;
}

}  // namespace ps::cli
