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
  if (conf.contains("prompt")) p.prompt = prompt::PromptConfig::from_json(conf["prompt"], "run " + std::to_string(id) + " config");
  if (conf.contains("data")) p.data.read(conf["data"], "run " + std::to_string(id) + " config");
  return p;
}

}  // namespace ps::cli
