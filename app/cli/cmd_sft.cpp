// perturbscope-cli sft --config FILE [--resume RUN] [--json]: teacher traces -> (tokenizer) ->
// LoRA or full fine-tuning -> evaluation on the stored held-out items, with live progress.
// Ctrl-C cancels (the run is recorded as cancelled; `--resume RUN` continues from its last
// checkpoint with the same losses).
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/paths.h"
#include "lm/allocator.h"
#include "store/store.h"
#include "train/sft.h"

namespace ps::cli {

namespace {

void print_eval_line(const char* set, const train::EvalResult& r) {
  const auto& s = r.summary;
  auto ci = [](double v, const metrics::Interval& i) {
    char b[80];
    if (!std::isfinite(v)) return std::string("n/a");
    std::snprintf(b, sizeof b, "%.3f [%.3f, %.3f]", v, i.lo, i.hi);
    return std::string(b);
  };
  std::printf("  %-8s n %-5zu parse %.3f  F1 %s  Brier %s  ECE %s  AUROC/gene %s\n", set, r.items.size(), r.parse_rate,
              ci(s.at_threshold.f1, s.f1_ci).c_str(), ci(s.brier, s.brier_ci).c_str(), ci(s.ece, s.ece_ci).c_str(),
              ci(s.auroc_per_gene, s.auroc_per_gene_ci).c_str());
  if (!r.reference.is_object()) return;
  auto v = [](const nlohmann::json& x) {  // null (undefined): n/a
    if (!x.is_number()) return std::string("n/a");
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", x.get<double>());
    return std::string(b);
  };
  const auto& k = r.reference;
  std::printf("  %-8s KNN-KG on the same items: F1 %s  Brier %s  ECE %s  AUROC/gene %s\n", "", v(k["f1"]).c_str(),
              v(k["brier"]).c_str(), v(k["ece"]).c_str(), v(k["auroc_per_gene"]).c_str());
}

}  // namespace

int cmd_sft(const Argv& argv) {
  Args args("sft", argv,
            {{"config", true, "SFT config (JSON, see configs/demo-sft.json)"},
             {"resume", true, "continue run ID from its last checkpoint (its stored config is used)"},
             {"store", true, "experiment store (default $PERTURBSCOPE_STORE or the user data folder)"},
             {"validate", false, "check the config and exit"},
             {"json", false, "print the result as one JSON object"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli sft --config FILE [--json] [--store PATH]\n"
                "       perturbscope-cli sft --resume RUN [--json] [--store PATH]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("sft: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("config") == args.has("resume")) throw UsageError("sft: give exactly one of --config, --resume");
  const std::string store_path = args.get("store", ps::default_store_path());
  train::SftConfig cfg;
  int64_t resume = 0;
  if (args.has("config")) {
    cfg = train::SftConfig::load(args.get("config"));
    if (args.has("validate")) {
      std::printf("%s: valid\n", args.get("config").c_str());
      return 0;
    }
  }
  store::Store st(store_path);
  if (args.has("resume")) {
    resume = args.get_int("resume", 0, 1, 1L << 62);
    if (resume <= 0) throw UsageError("sft: --resume needs a run id");
    auto run = st.get_run(resume);
    if (!run) throw Error(store_path + ": no run with id " + std::to_string(resume));
    if (run->kind != "sft") throw Error("run " + std::to_string(resume) + " is a " + run->kind + " run, not sft");
    if (run->status == store::RunStatus::Finished) throw Error("run " + std::to_string(resume) + " has already finished");
    if (run->status == store::RunStatus::Running)
      throw Error("run " + std::to_string(resume) + " is still running (process " + std::to_string(run->pid) +
                  "); stop it before resuming it");
    cfg = train::SftConfig::from_json(nlohmann::json::parse(run->config_json), "run " + std::to_string(resume) + " config");
  }
  lm::keep_freed_memory_for_reuse();
  train::SftResult res;
  auto outcome = run_with_progress("sft " + cfg.name, [&](jobs::JobContext& ctx) { res = train::run_sft(cfg, st, ctx, resume); });
  if (outcome == jobs::Outcome::Cancelled) return 130;
  if (args.has("json")) {
    std::printf("%s\n", res.to_json().dump().c_str());
    return 0;
  }
  std::printf("SFT run %lld (%s): %lld steps on %lld kept traces (teacher made %lld), final loss %.4f, %.0f s\n",
              static_cast<long long>(res.run_id), cfg.finetune.c_str(), static_cast<long long>(res.steps),
              static_cast<long long>(res.examples), static_cast<long long>(res.teacher.made), res.final_loss, res.seconds);
  std::printf("  model %s%s%s\n", res.model_dir.c_str(), res.adapter_dir.empty() ? "" : "  adapter ", res.adapter_dir.c_str());
  for (const auto& [set, r] : res.evals) print_eval_line(set.c_str(), r);
  std::printf("stored in %s\n", store_path.c_str());
  return 0;
}

}  // namespace ps::cli
