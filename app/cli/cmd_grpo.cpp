// perturbscope-cli grpo | pipeline | sweep: RLCR-GRPO on an SFT policy, the whole pipeline
// (teacher traces -> SFT -> GRPO arms -> evaluation on identical held-out items), and sweeps of
// GRPO knobs from one shared SFT start (stored as one group).
#include <cstdio>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/paths.h"
#include "lm/allocator.h"
#include "store/store.h"
#include "train/config.h"
#include "train/grpo.h"
#include "train/json_fields.h"
#include "train/sft.h"

using nlohmann::json;

namespace ps::cli {

namespace {

std::string fmt_ci(const json& j, const char* key) {
  char b[96];
  if (!j.contains(key) || j[key].is_null()) return "n/a";
  const std::string ci = std::string(key) + "_ci";
  if (j.contains(ci) && j[ci].is_array() && !j[ci][0].is_null())
    std::snprintf(b, sizeof b, "%.3f [%.3f, %.3f]", j[key].get<double>(), j[ci][0].get<double>(), j[ci][1].get<double>());
  else
    std::snprintf(b, sizeof b, "%.3f", j[key].get<double>());
  return b;
}

void print_table(const json& stages) {
  std::printf("\n%-10s %-8s %6s %7s  %-22s %-22s %-22s %-22s\n", "stage", "set", "n", "parse", "F1", "Brier", "ECE", "AUROC/gene");
  for (auto it = stages.begin(); it != stages.end(); ++it) {
    if (!it.value().contains("sets")) continue;
    for (auto s = it.value()["sets"].begin(); s != it.value()["sets"].end(); ++s) {
      const json& e = s.value();
      std::printf("%-10s %-8s %6lld %7.3f  %-22s %-22s %-22s %-22s\n", it.key().c_str(), s.key().c_str(),
                  e.value("n", 0LL), e["parse_rate"].is_null() ? NAN : e["parse_rate"].get<double>(),
                  fmt_ci(e, "f1").c_str(), fmt_ci(e, "brier").c_str(), fmt_ci(e, "ece").c_str(),
                  fmt_ci(e, "auroc_per_gene").c_str());
    }
  }
}

// "beta=0,0.04;num_iterations=1,2" -> [(beta, [0, 0.04]), (num_iterations, [1, 2])]. Each knob must be
// a GRPO knob (GrpoKnobs, the "grpo" section of a GRPO config). `fail(msg)` throws: the message
// names the flag (--grid) or the config file's field (grid).
using GridFail = std::function<void(const std::string&)>;
std::vector<std::pair<std::string, std::vector<json>>> parse_grid(const std::string& spec, const GridFail& fail) {
  const json knobs = train::GrpoKnobs().to_json();
  std::vector<std::pair<std::string, std::vector<json>>> out;
  std::stringstream in(spec);
  std::string part;
  while (std::getline(in, part, ';')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0) fail("part '" + part + "' is not NAME=V1,V2");
    std::string name = part.substr(0, eq), vals = part.substr(eq + 1);
    if (!knobs.contains(name)) {
      std::string list;
      for (auto it = knobs.begin(); it != knobs.end(); ++it) list += (list.empty() ? "" : ", ") + it.key();
      fail("unknown knob '" + name + "' (the GRPO knobs: " + list + ")");
    }
    std::vector<json> values;
    std::stringstream vin(vals);
    std::string v;
    while (std::getline(vin, v, ',')) {
      if (v.empty()) fail("'" + name + "' has an empty value");
      try {
        values.push_back(json::parse(v));
      } catch (const json::exception&) {
        values.push_back(v);  // a bare word: a string ("natural", "rlvr")
      }
    }
    if (values.empty()) fail("'" + name + "' has no values");
    for (const auto& [seen, v] : out)
      if (seen == name) fail("names '" + name + "' twice");
    out.emplace_back(name, values);
  }
  if (out.empty()) fail("is empty");
  return out;
}

}  // namespace

int cmd_grpo(const Argv& argv) {
  Args args("grpo", argv,
            {{"config", true, "GRPO config (JSON; init.sft_run or init.model names the start)"},
             {"resume", true, "continue run ID from its last checkpoint"},
             {"store", true, "experiment store"},
             {"validate", false, "check the config and exit"},
             {"json", false, "print the result as one JSON object"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli grpo --config FILE [--json] | --resume RUN\n%s", args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("grpo: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("config") == args.has("resume")) throw UsageError("grpo: give exactly one of --config, --resume");
  train::GrpoConfig cfg;
  int64_t resume = 0;
  if (args.has("config")) {
    cfg = train::GrpoConfig::load(args.get("config"));
    if (args.has("validate")) {
      std::printf("%s: valid\n", args.get("config").c_str());
      return 0;
    }
  }
  const std::string store_path = args.get("store", ps::default_store_path());
  store::Store st(store_path);
  if (args.has("resume")) {
    resume = args.get_int("resume", 0, 1, 1L << 62);
    auto run = resume > 0 ? st.get_run(resume) : std::nullopt;
    if (!run) throw Error(store_path + ": no run with id " + args.get("resume"));
    if (run->kind != "grpo") throw Error("run " + args.get("resume") + " is a " + run->kind + " run, not grpo");
    if (run->status == store::RunStatus::Finished) throw Error("run " + args.get("resume") + " has already finished");
    if (run->status == store::RunStatus::Running)
      throw Error("run " + args.get("resume") + " is still running (process " + std::to_string(run->pid) +
                  "); stop it before resuming it");
    cfg = train::GrpoConfig::from_json(json::parse(run->config_json), "run " + args.get("resume") + " config");
  }
  lm::keep_freed_memory_for_reuse();
  train::GrpoResult res;
  auto outcome = run_with_progress("grpo " + cfg.name, [&](jobs::JobContext& ctx) { res = train::run_grpo(cfg, st, ctx, resume); });
  if (outcome == jobs::Outcome::Cancelled) return 130;
  if (args.has("json")) {
    std::printf("%s\n", res.to_json().dump().c_str());
    return 0;
  }
  std::printf("GRPO run %lld: %lld steps, frac_reward_zero_std %.3f (pool before the filter %.3f), %.0f s\n",
              static_cast<long long>(res.run_id), static_cast<long long>(res.steps), res.frac_reward_zero_std,
              res.frac_reward_zero_std_unfiltered, res.seconds);
  print_table(json{{"grpo", res.to_json()}});
  return 0;
}

// The pipeline config: {"kind": "pipeline", "name", "sft": {SFT config}, "grpo": {GRPO config
// without init}, "arms": ["rlcr", "rlvr"]}.
struct PipelineConfig {
  std::string name = "pipeline";
  train::SftConfig sft;
  json grpo;  // GRPO config minus init (validated per arm)
  std::vector<std::string> arms = {"rlcr"};
  static PipelineConfig load(const std::string& path) { return from_json(train::read_json_file(path), path); }
  static PipelineConfig from_json(const json& j, const std::string& path) {
    PipelineConfig c;
    train::Fields f(j, path, "");
    std::string kind = "pipeline";
    f.choice("kind", kind, {"pipeline"});
    f.string("name", c.name);
    const json* s = f.object("sft");
    if (!s) f.fail("sft", "required (an SFT config)");
    c.sft = train::SftConfig::from_json(*s, path + ": sft");
    const json* g = f.object("grpo");
    if (!g) f.fail("grpo", "required (a GRPO config without init)");
    c.grpo = *g;
    f.strings("arms", c.arms);
    f.finish();
    for (const auto& a : c.arms)
      if (a != "rlcr" && a != "rlvr") f.fail("arms", "unknown arm \"" + a + "\" (rlcr, rlvr)");
    if (c.arms.empty()) f.fail("arms", "needs at least one arm");
    arm_config(c, c.arms[0], 1, path);  // validates the GRPO part now, before any work
    return c;
  }
  static train::GrpoConfig arm_config(const PipelineConfig& c, const std::string& arm, int64_t sft_run,
                                      const std::string& file) {
    json g = c.grpo;
    g["kind"] = "grpo";
    g["init"] = {{"sft_run", sft_run}};
    if (!g.contains("grpo")) g["grpo"] = json::object();
    g["grpo"]["reward"] = arm;
    if (!g.contains("name")) g["name"] = c.name + " " + arm;
    if (!g.contains("seed")) g["seed"] = c.sft.seed;
    if (!g.contains("data")) g["data"] = c.sft.data.to_json();
    return train::GrpoConfig::from_json(g, file + ": grpo");
  }
};

int cmd_pipeline(const Argv& argv) {
  Args args("pipeline", argv,
            {{"config", true, "pipeline config (JSON: sft, grpo, arms)"},
             {"store", true, "experiment store"},
             {"validate", false, "check the config and exit"},
             {"json", false, "print {\"stages\": {...}, \"seconds\": S}"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli pipeline --config FILE [--json]\n%s", args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("pipeline: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("config")) throw UsageError("pipeline: --config is required");
  const std::string path = args.get("config");
  PipelineConfig pc = PipelineConfig::load(path);
  if (args.has("validate")) {
    std::printf("%s: valid\n", path.c_str());
    return 0;
  }
  const std::string store_path = args.get("store", ps::default_store_path());
  store::Store st(store_path);
  lm::keep_freed_memory_for_reuse();
  json stages = json::object();
  const auto t0 = std::chrono::steady_clock::now();
  const double n_stages = 1.0 + pc.arms.size();
  auto outcome = run_with_progress("pipeline " + pc.name, [&](jobs::JobContext& ctx) {
    // Each stage reports into its share of the bar and stops when the pipeline is cancelled.
    auto stage = [&](double a, double b, const std::string& label) {
      auto c = std::make_unique<jobs::JobContext>([&ctx, a, b, label](const jobs::Progress& p) {
        ctx.report(a + (b - a) * std::max(0.0, p.fraction), label + ": " + p.message);
      });
      c->follow(&ctx);
      return c;
    };
    train::SftResult sft;
    {
      auto c = stage(0, 1 / n_stages, "sft");
      sft = train::run_sft(pc.sft, st, *c, 0);
    }
    stages["sft"] = sft.to_json();
    for (size_t a = 0; a < pc.arms.size(); ++a) {
      ctx.check_cancelled();
      auto gc = PipelineConfig::arm_config(pc, pc.arms[a], sft.run_id, path);
      auto c = stage((1 + a) / n_stages, (2 + a) / n_stages, pc.arms[a]);
      auto r = train::run_grpo(gc, st, *c, 0);
      stages[pc.arms[a] == "rlcr" ? "grpo" : pc.arms[a]] = r.to_json();
    }
  });
  if (outcome == jobs::Outcome::Cancelled) return 130;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (args.has("json")) {
    std::printf("%s\n", json({{"stages", stages}, {"seconds", seconds}}).dump().c_str());
    return 0;
  }
  print_table(stages);
  if (stages.contains("grpo"))
    std::printf("\nGRPO frac_reward_zero_std %.3f (pool before the learnability filter %.3f); groups all right or all "
                "wrong %.3f (pool %.3f)\n",
                stages["grpo"].value("frac_reward_zero_std", NAN), stages["grpo"].value("frac_reward_zero_std_unfiltered", NAN),
                stages["grpo"].value("frac_zero_variance", NAN), stages["grpo"].value("frac_zero_variance_unfiltered", NAN));
  std::printf("%.0f s; stored in %s\n", seconds, store_path.c_str());
  return 0;
}

// The sweep config (configs/sweep-demo.json): {"kind": "sweep", "grid": "KNOB=V1,V2;...", and the
// fields of a pipeline config (sft, grpo, name; the SFT runs once, each arm is a GRPO run from it)
// or of a GRPO config (init, grpo, ...)}. "arms" is not used: sweep the reward in the grid
// (reward=rlcr,rlvr). --grid on the command line replaces the file's grid. A plain pipeline or
// GRPO config with --grid works too.
int cmd_sweep(const Argv& argv) {
  Args args("sweep", argv,
            {{"config", true,
              "a sweep config {\"kind\": \"sweep\", \"grid\": ..., pipeline or GRPO fields}, or a pipeline config (SFT once, "
              "then each arm) or a GRPO config with init"},
             {"grid", true,
              "GRPO knobs and values, e.g. 'beta=0,0.04;num_iterations=1,2;positive_rate=natural,0.4' (replaces a sweep "
              "config's grid)"},
             {"store", true, "experiment store"},
             {"validate", false, "check the config and every arm of the grid, and exit"},
             {"json", false, "print JSON"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli sweep --config FILE --grid 'KNOB=V1,V2;KNOB=...' [--json]\n"
                "       perturbscope-cli sweep --config SWEEP_FILE [--grid ...] [--validate]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("sweep: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("config")) throw UsageError("sweep: --config is required");
  const std::string path = args.get("config");
  json raw = train::read_json_file(path);
  if (!raw.is_object()) throw Error(path + ": expected a JSON object");
  std::string grid_spec;
  bool grid_from_file = false;
  // The kind decides how the file is read: "sweep" (its own grid), "pipeline" or "grpo" (no kind = grpo; --grid).
  if (raw.contains("kind") && !raw["kind"].is_string())
    throw Error(path + ": kind: expected a string, got " + raw["kind"].dump());
  const std::string file_kind = raw.value("kind", std::string());
  if (file_kind != "sweep" && raw.contains("grid"))
    throw Error(path + ": kind: must be \"sweep\" for a file with a grid (a pipeline or grpo config needs --grid)");
  if (raw.contains("kind") && file_kind != "sweep" && file_kind != "pipeline" && file_kind != "grpo")
    throw Error(path + ": kind: must be one of sweep, pipeline, grpo, got \"" + file_kind + "\"");
  if (file_kind == "sweep") {
    if (raw.contains("arms")) throw Error(path + ": arms: not used by a sweep (sweep the reward in grid: reward=rlcr,rlvr)");
    if (raw.contains("grid")) {
      if (!raw["grid"].is_string())
        throw Error(path + ": grid: expected a string like \"beta=0,0.04;num_iterations=1,2\", got " + raw["grid"].dump());
      grid_spec = raw["grid"].get<std::string>();
      grid_from_file = true;
    }
    raw.erase("grid");
    raw["kind"] = raw.contains("sft") ? "pipeline" : "grpo";
  }
  if (args.has("grid")) {
    grid_spec = args.get("grid");
    grid_from_file = false;
  } else if (!grid_from_file) {
    throw UsageError("sweep: --grid is required (or a sweep config with \"grid\")");
  }
  const GridFail grid_fail = [&](const std::string& msg) {
    if (grid_from_file) throw Error(path + ": grid: " + msg);
    throw UsageError("sweep: --grid " + msg);
  };
  const auto grid = parse_grid(grid_spec, grid_fail);
  const bool pipeline = raw.value("kind", std::string()) == "pipeline";
  std::optional<PipelineConfig> pc;
  json grpo_base;
  if (pipeline) {
    pc = PipelineConfig::from_json(raw, path);
    grpo_base = pc->grpo;
  } else {
    train::GrpoConfig::from_json(raw, path);  // validates
    grpo_base = raw;
  }
  // Every arm's config, validated before anything runs.
  std::vector<json> arms(1, grpo_base);
  std::vector<std::string> names(1, "");
  for (const auto& [knob, values] : grid) {
    std::vector<json> next;
    std::vector<std::string> next_names;
    for (size_t i = 0; i < arms.size(); ++i)
      for (const auto& v : values) {
        json a = arms[i];
        if (!a.contains("grpo")) a["grpo"] = json::object();
        a["grpo"][knob] = v;
        next.push_back(a);
        next_names.push_back(names[i] + (names[i].empty() ? "" : " ") + knob + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
      }
    arms = next;
    names = next_names;
  }
  for (size_t i = 0; i < arms.size(); ++i) {
    json a = arms[i];
    a["kind"] = "grpo";
    if (!a.contains("init")) a["init"] = {{"sft_run", 1}};
    try {
      train::GrpoConfig::from_json(a, "arm " + names[i]);
    } catch (const Error& e) {
      grid_fail(e.what());
    }
  }
  if (args.has("validate")) {
    std::printf("%s: valid (%zu arms)\n", path.c_str(), arms.size());
    return 0;
  }
  const std::string store_path = args.get("store", ps::default_store_path());
  store::Store st(store_path);
  lm::keep_freed_memory_for_reuse();
  const int64_t group = st.create_run("sweep", "sweep " + grid_spec, json({{"config", raw}, {"grid", grid_spec}}).dump());
  json out = {{"sweep_run_id", group}, {"arms", json::array()}};
  auto outcome = run_with_progress("sweep", [&](jobs::JobContext& ctx) {
    int64_t sft_run = 0;
    if (pipeline) {
      auto s = train::run_sft(pc->sft, st, ctx, 0);
      sft_run = s.run_id;
      out["sft"] = s.to_json();
    }
    for (size_t i = 0; i < arms.size(); ++i) {
      ctx.check_cancelled();
      json a = arms[i];
      a["kind"] = "grpo";
      if (pipeline) a["init"] = {{"sft_run", sft_run}};
      if (!a.contains("seed") && pipeline) a["seed"] = pc->sft.seed;
      if (!a.contains("data") && pipeline) a["data"] = pc->sft.data.to_json();
      a["name"] = "sweep " + std::to_string(group) + ": " + names[i];
      auto gc = train::GrpoConfig::from_json(a, path + " (arm " + names[i] + ")");
      auto r = train::run_grpo(gc, st, ctx, 0);
      json rj = r.to_json();
      rj["arm"] = names[i];
      out["arms"].push_back(rj);
      st.set_summary(group, out.dump());
    }
  });
  st.set_status(group, outcome == jobs::Outcome::Cancelled ? store::RunStatus::Cancelled : store::RunStatus::Finished);
  if (outcome == jobs::Outcome::Cancelled) return 130;
  if (args.has("json")) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  json stages;
  if (out.contains("sft")) stages["sft"] = out["sft"];
  for (const auto& a : out["arms"]) stages[a["arm"].get<std::string>()] = a;
  print_table(stages);
  return 0;
}

}  // namespace ps::cli
