#include "cli/policy_run.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace ps::cli {

void require_store(const std::string& store_path, int64_t id) {
  std::error_code ec;
  if (!std::filesystem::exists(store_path, ec))
    throw Error(store_path + ": no such store (run " + std::to_string(id) + " is looked up there)");
}

PolicyOfRun policy_of_run(store::Store& st, const std::string& store_path, int64_t id) {
  using nlohmann::json;
  auto run = st.get_run(id);
  if (!run) throw Error(store_path + ": no run with id " + std::to_string(id));
  if (run->kind != "sft" && run->kind != "grpo") throw Error("run " + std::to_string(id) + " is a " + run->kind + " run, not sft or grpo");
  json conf = json::parse(run->config_json), summary = json::parse(run->summary_json);
  if (!summary.contains("model_dir")) throw Error("run " + std::to_string(id) + " has no trained model (did it finish?)");
  PolicyOfRun p;
  p.model_dir = summary["model_dir"].get<std::string>();
  p.adapter_dir = summary.value("adapter_dir", std::string());
  // A GRPO run recorded before it stored its inherited settings: its SFT run's prompt and data.
  json from_sft;
  const int64_t sft_run = conf.contains("init") ? conf["init"].value("sft_run", int64_t{0}) : 0;
  if (run->kind == "grpo" && sft_run > 0 && (!conf.contains("prompt") || !conf.contains("data")))
    if (auto sft = st.get_run(sft_run)) from_sft = json::parse(sft->config_json);
  const auto setting = [&](const char* key, std::string& where) -> const json* {
    where = "run " + std::to_string(id) + " config";
    if (conf.contains(key)) return &conf[key];
    where = "run " + std::to_string(sft_run) + " config (the SFT run of run " + std::to_string(id) + ")";
    return from_sft.is_object() && from_sft.contains(key) ? &from_sft[key] : nullptr;
  };
  std::string where;
  if (const json* pj = setting("prompt", where)) p.prompt = prompt::PromptConfig::from_json(*pj, where);
  if (const json* dj = setting("data", where)) p.data.read(*dj, where);
  return p;
}

void check_policy_inputs(const Args& args, const std::string& model_dir, const std::string& adapter_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool of_run = args.has("run");
  const std::string whose = of_run ? "the run's model folder " : "";
  if (model_dir.empty()) args.fail_input(of_run ? "run" : "model", whose + "empty path");
  if (!fs::is_directory(model_dir, ec)) args.fail_input(of_run ? "run" : "model", whose + model_dir + ": no such folder");
  if (!fs::is_regular_file(fs::path(model_dir) / "config.json", ec))
    args.fail_input(of_run ? "run" : "model", whose + model_dir + ": no config.json (not a model folder)");
  if (!adapter_dir.empty() && !fs::is_directory(adapter_dir, ec))
    args.fail_input(of_run ? "run" : "adapter", (of_run ? "the run's adapter folder " : "") + adapter_dir + ": no such folder");
  if (args.has("tokenizer") && !fs::exists(args.get("tokenizer"), ec))
    args.fail_input("tokenizer", args.get("tokenizer") + ": no such file or folder");
  if (args.has("data") && !fs::is_directory(args.get("data"), ec)) args.fail_input("data", args.get("data") + ": no such folder");
}

PolicyOfRun resolve_policy(const Args& args, const std::string& store_path, int64_t run, std::optional<store::Store>& st) {
  PolicyOfRun p{args.get("model"), args.get("adapter"), {}, {}};
  if (!args.has("run") && !args.has("no-store") && !args.has("validate")) st.emplace(store_path);
  if (args.has("run")) {
    try {
      require_store(store_path, run);  // the run is looked up there: a missing store is not created
      st.emplace(store_path);
      p = policy_of_run(*st, store_path, run);
    } catch (const Error& e) {
      if (args.from_config("run")) args.fail_input("run", e.what());
      throw;
    }
  }
  if (args.has("max-prompt-tokens")) p.prompt.max_prompt_tokens = static_cast<size_t>(args.get_int("max-prompt-tokens", 1024));
  if (args.has("data")) p.data.data_dir = args.get("data");
  return p;
}

}  // namespace ps::cli
