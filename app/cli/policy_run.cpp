#include "cli/policy_run.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace ps::cli {

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

}  // namespace ps::cli
