// The policy a stored sft/grpo run trained, as `eval --run` and `ttc --run` load it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "cli/args.h"
#include "prompt/question.h"
#include "store/store.h"
#include "train/config.h"

namespace ps::cli {

struct PolicyOfRun {
  std::string model_dir, adapter_dir;  // the run's trained model ("" adapter: full fine-tuning)
  prompt::PromptConfig prompt;         // the run's prompt settings (a GRPO run that recorded none: its SFT run's; else defaults)
  train::DataConfig data;              // the run's data settings (item sets, cell lines)
};

// ps::Error "STORE: no such store (run ID is looked up there)" when the store file does not exist:
// `--run` reads a store, so it is checked before ps::store::Store (which creates one) opens it.
void require_store(const std::string& store_path, int64_t id);

// ps::Error naming the store or the run: no such run, not an sft/grpo run, no trained model.
PolicyOfRun policy_of_run(store::Store& st, const std::string& store_path, int64_t id);

// `eval --validate`, `ttc --validate`: the policy's folders exist, without loading them: the model
// folder (with config.json), the adapter folder, and the --tokenizer and --data paths when given.
// The error (Args::fail_input) names the option that gave the path: "run" when the folders are the
// run's, else "model", "adapter", "tokenizer" or "data".
void check_policy_inputs(const Args& args, const std::string& model_dir, const std::string& adapter_dir);

// The policy eval and ttc run: the run's (`--run`, from `store_path`, opened into `st`) or the
// --model/--adapter folders with default prompt and data settings; then --max-prompt-tokens and
// --data applied. Opens `st` when results are to be stored (no --run, --no-store or --validate).
// Errors name the store or the run (ps::Error; Args::fail_input when the run came from --config).
PolicyOfRun resolve_policy(const Args& args, const std::string& store_path, int64_t run, std::optional<store::Store>& st);

}  // namespace ps::cli
