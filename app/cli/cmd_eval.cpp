// perturbscope-cli eval: a policy (model folder [+ adapter], or a stored training run) on held-out
// PerturbQA items: batched generation, the answer parser, F1 / Brier / ECE / per-gene AUROC with
// bootstrap CIs, and every item (prompt, trace, parsed answer, P(DE), tokens, parse-failure reason)
// in the store.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/model_options.h"
#include "cli/policy_run.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/paths.h"
#include "lm/allocator.h"
#include "store/store.h"
#include "train/evaluate.h"
#include "train/stage_eval.h"
#include "train/recorder.h"
#include "train/task_data.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::cli {

int cmd_eval(const Argv& argv) {
  using K = Option::Kind;
  Args args("eval", argv,
            {{"run", true, "a stored sft/grpo run: its model, adapter and prompt settings", K::Integer, "Policy"},
             {"model", true, "model folder (config.json, model.safetensors, tokenizer.json)", K::Text, "Policy"},
             {"adapter", true, "PEFT LoRA adapter folder", K::Text, "Policy"},
             {"tokenizer", true, "tokenizer.json or folder (default: the model folder's)", K::Text, "Policy"},
             {"cell-line", true, "k562 | rpe1 | hepg2 | jurkat | all (required)", K::Text, "Items"},
             {"split", true, "val | ttc_val | heldout | test (required; the first three are the stored, seeded item sets)",
              K::Text, "Items"},
             {"n", true, "evaluate the first N items only (0 or absent: all)", K::Integer, "Items"},
             {"seed", true, "item sets and sampling seed (default 1, as the training configs)", K::Integer, "Items"},
             {"data", true, "data mirror folder", K::Text, "Items"},
             {"temperature", true, "sampling temperature; 0 = greedy (default 0)", K::Number, "Generation"},
             {"top-p", true, "nucleus mass (default 1)", K::Number, "Generation"},
             {"max-new-tokens", true, "tokens per answer (default 160)", K::Integer, "Generation"},
             {"batch-size", true, "prompts per batch (default 32)", K::Integer, "Generation"},
             {"max-prompt-tokens", true, "prompt budget (default: the run's, else 1024)", K::Integer, "Generation"},
             {"device", true, "cpu | cuda[:N] (default cpu)", K::Text, "Generation"},
             {"bootstrap", true, "bootstrap resamples for the CIs (default 1000)", K::Integer, "Statistics"},
             {"no-store", false, "do not store the run", K::Text, "Output"},
             {"config", true, "options from a JSON file {\"kind\": \"eval\", \"cell_line\": ...}; flags given here override it",
              K::Text, "Output"},
             {"validate", false, "check the options (and that the run or model folder exists) and exit", K::Text, "Output"},
             {"store", true, "experiment store", K::Text, "Output"},
             {"json", false, "print one JSON object", K::Text, "Output"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli eval (--model DIR [--adapter DIR] | --run ID) --cell-line C --split S [--n N] [--json]\n"
                "       perturbscope-cli eval --config FILE [flags overriding it] [--validate]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("eval: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("config")) args.read_config(args.get("config"));
  args.prefer_command_line("model", "run");
  if (args.has("model") && args.has("run"))
    args.fail("run", "cannot be combined with model (give exactly one of them)");
  if (!args.has("model") && !args.has("run"))
    args.fail("run", args.config_path().empty()
                         ? std::string("or --model is required (give exactly one of --model, --run)")
                         : std::string("required: the id of a finished sft or grpo run (or give model, a folder)"));
  if (!args.has("cell-line")) args.fail("cell-line", "is required");
  if (!args.has("split")) args.fail("split", "is required");
  args.get_choice("cell-line", "", {"k562", "rpe1", "hepg2", "jurkat", "all"});
  args.get_choice("split", "", {"val", "ttc_val", "heldout", "test"});
  const std::string store_path = args.get("store", ps::default_store_path());

  train::EvalConfig ec;
  ec.temperature = args.get_double("temperature", 0.0, 0.0, 100.0);
  ec.top_p = args.get_double("top-p", 1.0, 0.0, 1.0);  // 0 is refused below: "must be in (0, 1]"
  ec.max_new_tokens = args.get_int("max-new-tokens", 160, 1, 1 << 20);
  ec.batch_size = args.get_int("batch-size", 32, 1, 4096);
  ec.bootstrap = args.get_int("bootstrap", 1000, 0, 1000000);
  if (!(ec.top_p > 0 && ec.top_p <= 1)) args.fail("top-p", "must be in (0, 1]");
  const long n = args.get_int("n", 0, 0, 100000000);  // 0 (the default): every item, as ttc --n
  const long seed = args.get_int("seed", 1, 0, 1L << 62);
  const long run = args.get_int("run", 0, 1, 1L << 62);
  if (args.has("max-prompt-tokens")) args.get_int("max-prompt-tokens", 1024, 16, 1 << 20);

  // Flags are checked before the store or a model is opened: a bad value is a usage error (exit 2).
  const at::Device device = [&] {
    try {
      return parse_device("eval", args.get("device", "cpu"));
    } catch (const UsageError&) {
      args.fail("device", "must be cpu or cuda[:N], got '" + args.get("device") + "'");
    }
  }();
  std::optional<store::Store> st;
  auto [model_dir, adapter_dir, pc, dc] = resolve_policy(args, store_path, run, st);
  if (args.has("validate")) {
    check_policy_inputs(args, model_dir, adapter_dir);
    std::printf("%s: valid\n", args.config_path().empty() ? "eval" : args.config_path().c_str());
    return 0;
  }
  lm::keep_freed_memory_for_reuse();
  auto policy = train::Policy::load(model_dir, adapter_dir, args.get("tokenizer"), device, train::parse_dtype("auto", device));

  train::EvalResult result;
  int64_t run_id = 0;
  std::unique_ptr<train::Recorder> rec;
  auto outcome = run_with_progress("eval", [&](jobs::JobContext& ctx) {
    auto td = train::TaskData::load(dc, static_cast<uint64_t>(seed), ctx, 0.0, 0.1);
    auto items = td->select(args.get("split"), args.get("cell-line"), n);
    auto ev = td->evidence(items);
    std::vector<std::string> prompts;
    prompt::TokenCounter count = [&](const std::string& s) { return policy.tok.encode(s).size(); };
    for (const auto& e : ev) prompts.push_back(prompt::build_prompt(e, pc, count).text);
    if (st && !args.has("no-store")) {  // --run with --no-store: the store is read for the policy only
      json conf = {{"model_dir", model_dir}, {"adapter_dir", adapter_dir}, {"cell_line", args.get("cell-line")},
                   {"split", args.get("split")}, {"n", n}, {"seed", seed}, {"eval", ec.to_json()}, {"prompt", pc.to_json()},
                   {"data", dc.to_json()}};
      if (args.has("run")) conf["source_run"] = run;
      rec = std::make_unique<train::Recorder>(*st, "eval", "eval " + args.get("cell-line") + " " + args.get("split"), conf);
      run_id = rec->run_id();
    }
    try {
      result = train::evaluate_policy(policy, items, prompts, ec, static_cast<uint64_t>(seed), args.get("split"), ctx, 0.1, 1.0);
      // KNN-KG on the same items, with paired differences (result.reference).
      const auto knn = train::knn_kg_reference(*td, result, ec.bootstrap, static_cast<uint64_t>(seed));
      if (rec) {
        rec->predictions(result);
        rec->log_eval(0, args.get("split"), result);
        rec->log_eval(0, args.get("split") + "/knn_kg", knn);
        json s = result.to_json();
        s["model_dir"] = model_dir;
        if (!adapter_dir.empty()) s["adapter_dir"] = adapter_dir;
        rec->summary(s);
        rec->finish(store::RunStatus::Finished);
      }
    } catch (...) {
      if (rec) rec->finish_from_exception();
      throw;
    }
  });
  if (outcome == jobs::Outcome::Cancelled) return 130;
  json j = result.to_json();
  if (run_id) j["run_id"] = run_id;
  if (args.has("json")) {
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  const auto& s = result.summary;
  std::printf("%s %s: %zu items, parse rate %.3f, %.1f tokens per answer\n", args.get("cell-line").c_str(),
              args.get("split").c_str(), result.items.size(), result.parse_rate, result.tokens_per_item);
  // An undefined metric (F1 without any DE item, AUROC with one class) prints as n/a, never as 0 or nan.
  auto with_ci = [](double v, const metrics::Interval& i) {
    char b[80];
    if (!std::isfinite(v)) return std::string("n/a");
    if (std::isfinite(i.lo) && std::isfinite(i.hi)) std::snprintf(b, sizeof b, "%.4f [%.4f, %.4f]", v, i.lo, i.hi);
    else std::snprintf(b, sizeof b, "%.4f", v);
    return std::string(b);
  };
  std::printf("  F1 %s  Brier %s  ECE %s  AUROC/gene %s\n", with_ci(s.at_threshold.f1, s.f1_ci).c_str(),
              with_ci(s.brier, s.brier_ci).c_str(), with_ci(s.ece, s.ece_ci).c_str(),
              with_ci(s.auroc_per_gene, s.auroc_per_gene_ci).c_str());
  for (const auto& [reason, count] : result.failures) std::printf("  parse failures: %s %lld\n", reason.c_str(), static_cast<long long>(count));
  if (result.reference.is_object()) {
    const auto& k = result.reference;
    auto v = [](const json& x) { return x.is_number() ? x.get<double>() : NAN; };
    const metrics::Interval none{NAN, NAN};
    std::printf("  KNN-KG on the same items: F1 %s  Brier %s  ECE %s  AUROC/gene %s\n", with_ci(v(k["f1"]), none).c_str(),
                with_ci(v(k["brier"]), none).c_str(), with_ci(v(k["ece"]), none).c_str(),
                with_ci(v(k["auroc_per_gene"]), none).c_str());
    // A difference of an undefined metric (null in the JSON) is n/a too.
    auto signed_with_ci = [](double x, double lo, double hi) {
      char b[80];
      if (!std::isfinite(x)) return std::string("n/a");
      if (std::isfinite(lo) && std::isfinite(hi)) std::snprintf(b, sizeof b, "%+.4f [%+.4f, %+.4f]", x, lo, hi);
      else std::snprintf(b, sizeof b, "%+.4f", x);
      return std::string(b);
    };
    for (const auto& d : k["paired"]) {
      const bool has_ci = d.contains("diff_ci") && d["diff_ci"].is_array() && d["diff_ci"].size() == 2;
      const json ci = has_ci ? d["diff_ci"] : json::array({nullptr, nullptr});
      std::printf("    policy - KNN-KG %-15s %s\n", d["metric"].get<std::string>().c_str(),
                  signed_with_ci(v(d["diff"]), v(ci[0]), v(ci[1])).c_str());
    }
  }
  if (run_id) std::printf("stored as run %lld in %s\n", static_cast<long long>(run_id), store_path.c_str());
  return 0;
}

}  // namespace ps::cli
