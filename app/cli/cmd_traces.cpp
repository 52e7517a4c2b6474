// perturbscope-cli traces list | show RUN: the reasoning traces a run holds (teacher traces,
// evaluation answers, GRPO rollout samples) with their prompts and parsed answers.
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/paths.h"
#include "prompt/answer_parser.h"
#include "store/store.h"

using nlohmann::json;

namespace ps::cli {

namespace {

json prediction_json(const store::Prediction& p) {
  auto parsed = prompt::parse_answer(p.trace);
  json j = {{"item_key", p.item_key}, {"cell_line", p.cell_line}, {"perturber", p.perturber}, {"target", p.target},
            {"label", p.label}, {"p_de", std::isfinite(p.confidence) ? json(p.confidence) : json(nullptr)},
            {"tokens", p.tokens}, {"parse_failure", p.parse_failure}, {"prompt", p.prompt}, {"trace", p.trace},
            {"ttc_round", p.ttc_round}};
  if (parsed.ok()) j["answer"] = {{"de", parsed.de}, {"confidence", parsed.confidence}, {"correct", parsed.correct(p.label)}};
  try {
    j["details"] = json::parse(p.details_json.empty() ? "{}" : p.details_json);
  } catch (const json::exception&) {
  }
  return j;
}

}  // namespace

int cmd_traces(const Argv& argv) {
  Args args("traces", argv,
            {{"store", true, "experiment store"},
             {"item", true, "show: only this item key (cell|perturber|target) or gene"},
             {"wrong", false, "show: only parsed answers that are wrong"},
             {"failed", false, "show: only parse failures"},
             {"limit", true, "show: at most N traces (default 5; 0 = all)"},
             {"step", true, "show: GRPO rollout samples of this step instead of predictions"},
             {"json", false, "print JSON"}});
  const char* usage =
      "usage: perturbscope-cli traces list [--store PATH] [--json]\n"
      "       perturbscope-cli traces show RUN [--item KEY|GENE] [--wrong|--failed] [--limit N] [--step S] [--json]\n";
  if (args.has("help")) {
    std::printf("%s%s", usage, args.help().c_str());
    return 0;
  }
  const auto& pos = args.positionals();
  if (pos.empty()) throw UsageError("traces: expected 'list' or 'show RUN'");
  const std::string store_path = args.get("store", ps::default_store_path());
  store::Store st(store_path);
  if (pos[0] == "list") {
    if (pos.size() > 1) throw UsageError("traces list: unexpected argument '" + pos[1] + "'");
    json out = json::array();
    for (const auto& r : st.list_runs()) {
      if (r.kind == "knn") continue;
      auto preds = st.predictions(r.id);
      auto rolls = st.rollouts(r.id);
      if (preds.empty() && rolls.empty()) continue;
      int64_t parsed = 0;
      for (const auto& p : preds) parsed += p.parse_failure.empty();
      out.push_back({{"run_id", r.id}, {"kind", r.kind}, {"name", r.name}, {"status", store::to_string(r.status)},
                     {"traces", preds.size()}, {"parsed", parsed}, {"rollout_samples", rolls.size()}});
    }
    if (args.has("json")) {
      std::printf("%s\n", out.dump().c_str());
      return 0;
    }
    if (out.empty()) std::printf("no runs with traces in %s\n", store_path.c_str());
    for (const auto& r : out)
      std::printf("%5lld  %-8s %-10s %6lld traces (%lld parsed) %6lld rollout samples  %s\n", r["run_id"].get<long long>(),
                  r["kind"].get<std::string>().c_str(), r["status"].get<std::string>().c_str(), r["traces"].get<long long>(),
                  r["parsed"].get<long long>(), r["rollout_samples"].get<long long>(), r["name"].get<std::string>().c_str());
    return 0;
  }
  if (pos[0] != "show") throw UsageError("traces: unknown subcommand '" + pos[0] + "' (list, show)");
  if (pos.size() != 2) throw UsageError("traces show: expected one run id");
  char* end = nullptr;
  const long long id = std::strtoll(pos[1].c_str(), &end, 10);
  if (*end || id <= 0) throw UsageError("traces show: '" + pos[1] + "' is not a run id");
  if (!st.get_run(id)) throw Error(store_path + ": no run with id " + pos[1]);
  const long limit = args.get_int("limit", 5, 0, 1L << 40);
  if (args.has("wrong") && args.has("failed"))
    throw UsageError("traces show: --wrong (parsed but wrong) and --failed (not parsed) exclude each other");
  if (limit < 0) throw UsageError("traces show: --limit must be >= 0");
  json out = json::array();
  if (args.has("step")) {
    const long step = args.get_int("step", 0, 0, 1L << 62);
    for (const auto& r : st.rollouts(id, step)) {
      if (limit && static_cast<long>(out.size()) >= limit) break;
      json j = {{"step", r.step}, {"group", r.group_index}, {"sample", r.sample_index}, {"item_key", r.item_key},
                {"label", r.label}, {"prompt", r.prompt}, {"completion", r.completion},
                {"reward", std::isfinite(r.reward) ? json(r.reward) : json(nullptr)},
                {"advantage", std::isfinite(r.advantage) ? json(r.advantage) : json(nullptr)}};
      try {
        j["parts"] = json::parse(r.parts_json);
      } catch (const json::exception&) {
      }
      out.push_back(j);
    }
  } else {
    const std::string item = args.get("item");
    for (const auto& p : st.predictions(id)) {
      if (limit && static_cast<long>(out.size()) >= limit) break;
      if (!item.empty() && p.item_key != item && p.perturber != item && p.target != item) continue;
      json j = prediction_json(p);
      if (args.has("failed") && p.parse_failure.empty()) continue;
      if (args.has("wrong") && !(j.contains("answer") && !j["answer"]["correct"].get<bool>())) continue;
      out.push_back(j);
    }
  }
  if (args.has("json")) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (out.empty()) std::printf("no matching traces in run %s\n", pos[1].c_str());
  for (const auto& j : out) {
    if (j.contains("step")) {
      std::printf("=== step %lld  group %lld  sample %lld  %s  label %d  reward %s  advantage %s\n", j["step"].get<long long>(),
                  j["group"].get<long long>(), j["sample"].get<long long>(), j["item_key"].get<std::string>().c_str(),
                  j["label"].get<int>(), j["reward"].dump().c_str(), j["advantage"].dump().c_str());
      std::printf("--- completion\n%s\n", j["completion"].get<std::string>().c_str());
      continue;
    }
    std::printf("=== %s  label %d  P(DE) %s  %lld tokens%s\n", j["item_key"].get<std::string>().c_str(), j["label"].get<int>(),
                j["p_de"].dump().c_str(), j["tokens"].get<long long>(),
                j["parse_failure"].get<std::string>().empty() ? "" : ("  parse failure: " + j["parse_failure"].get<std::string>()).c_str());
    std::printf("--- prompt\n%s\n--- trace\n%s\n", j["prompt"].get<std::string>().c_str(), j["trace"].get<std::string>().c_str());
    if (j.contains("answer"))
      std::printf("--- answer: de=%s confidence=%.2f (%s)\n", j["answer"]["de"].get<bool>() ? "true" : "false",
                  j["answer"]["confidence"].get<double>(), j["answer"]["correct"].get<bool>() ? "correct" : "wrong");
  }
  return 0;
}

}  // namespace ps::cli
