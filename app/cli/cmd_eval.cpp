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
  Args args("eval", argv,
            {{"model", true, "model folder (config.json, model.safetensors, tokenizer.json)"},
             {"adapter", true, "PEFT LoRA adapter folder"},
             {"tokenizer", true, "tokenizer.json or folder (default: the model folder's)"},
             {"run", true, "a stored sft/grpo run: its model, adapter and prompt settings"},
             {"cell-line", true, "k562 | rpe1 | hepg2 | jurkat | all (required)"},
             {"split", true, "val | ttc_val | heldout | test (required; the first three are the stored, seeded item sets)"},
             {"n", true, "evaluate the first N items only"},
             {"temperature", true, "sampling temperature; 0 = greedy (default 0)"},
             {"top-p", true, "nucleus mass (default 1)"},
             {"max-new-tokens", true, "tokens per answer (default 160)"},
             {"batch-size", true, "prompts per batch (default 32)"},
             {"bootstrap", true, "bootstrap resamples for the CIs (default 1000)"},
             {"seed", true, "item sets and sampling seed (default 1, as the training configs)"},
             {"max-prompt-tokens", true, "prompt budget (default: the run's, else 1024)"},
             {"data", true, "data mirror folder"},
             {"device", true, "cpu | cuda[:N] (default cpu)"},
             {"store", true, "experiment store"},
             {"no-store", false, "do not store the run"},
             {"json", false, "print one JSON object"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli eval (--model DIR [--adapter DIR] | --run ID) --cell-line C --split S [--n N] [--json]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("eval: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("model") == args.has("run")) throw UsageError("eval: give exactly one of --model, --run");
  if (!args.has("cell-line")) throw UsageError("eval: --cell-line is required");
  if (!args.has("split")) throw UsageError("eval: --split is required");
  {
    const std::string c = args.get("cell-line"), sp = args.get("split");
    if (c != "k562" && c != "rpe1" && c != "hepg2" && c != "jurkat" && c != "all")
      throw UsageError("eval: --cell-line must be k562, rpe1, hepg2, jurkat or all, got '" + c + "'");
    if (sp != "val" && sp != "ttc_val" && sp != "heldout" && sp != "test")
      throw UsageError("eval: --split must be val, ttc_val, heldout or test, got '" + sp + "'");
  }
  const std::string store_path = args.get("store", ps::default_store_path());

  train::EvalConfig ec;
  ec.temperature = args.get_double("temperature", 0.0, 0.0, 100.0);
  ec.top_p = args.get_double("top-p", 1.0, 1e-9, 1.0);
  ec.max_new_tokens = args.get_int("max-new-tokens", 160, 1, 1 << 20);
  ec.batch_size = args.get_int("batch-size", 32, 1, 4096);
  ec.bootstrap = args.get_int("bootstrap", 1000, 0, 1000000);
  if (!(ec.temperature >= 0 && ec.temperature <= 100)) throw UsageError("eval: --temperature must be in [0, 100]");
  if (!(ec.top_p > 0 && ec.top_p <= 1)) throw UsageError("eval: --top-p must be in (0, 1]");
  if (ec.max_new_tokens < 1 || ec.max_new_tokens > (1 << 20)) throw UsageError("eval: --max-new-tokens must be in [1, 1048576]");
  if (ec.batch_size < 1 || ec.batch_size > 4096) throw UsageError("eval: --batch-size must be in [1, 4096]");
  if (ec.bootstrap < 0 || ec.bootstrap > 1000000) throw UsageError("eval: --bootstrap must be in [0, 1000000]");
  const long n = args.get_int("n", 0, 1, 100000000);
  if (n < 0) throw UsageError("eval: --n must be >= 1");
  const long seed = args.get_int("seed", 1, 0, 1L << 62);
  if (seed < 0) throw UsageError("eval: --seed must be >= 0");

  // Flags are checked before the store or a model is opened: a bad value is a usage error (exit 2).
  const at::Device device = parse_device("eval", args.get("device", "cpu"));
  std::string model_dir = args.get("model"), adapter_dir = args.get("adapter");
  prompt::PromptConfig pc;
  train::DataConfig dc;
  std::optional<store::Store> st;
  if (!args.has("no-store") || args.has("run")) st.emplace(store_path);
  if (args.has("run")) {
    auto p = policy_of_run(*st, store_path, args.get_int("run", 0, 1, 1L << 62));
    model_dir = p.model_dir;
    adapter_dir = p.adapter_dir;
    pc = p.prompt;
    dc = p.data;
  }
  if (args.has("max-prompt-tokens")) {
    const long m = args.get_int("max-prompt-tokens", 1024, 16, 1 << 20);
    if (m < 16 || m > (1 << 20)) throw UsageError("eval: --max-prompt-tokens must be in [16, 1048576]");
    pc.max_prompt_tokens = static_cast<size_t>(m);
  }
  if (args.has("data")) dc.data_dir = args.get("data");
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
      if (args.has("run")) conf["source_run"] = args.get_int("run", 0);
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
    for (const auto& d : k["paired"])
      std::printf("    policy - KNN-KG %-15s %+.4f [%+.4f, %+.4f]\n", d["metric"].get<std::string>().c_str(), v(d["diff"]),
                  v(d["diff_ci"][0]), v(d["diff_ci"][1]));
  }
  if (run_id) std::printf("stored as run %lld in %s\n", static_cast<long long>(run_id), store_path.c_str());
  return 0;
}

}  // namespace ps::cli
