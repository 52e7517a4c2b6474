// perturbscope-cli ttc: calibration-guided test-time compute on the stored TTC-validation items.
// A policy (model folder [+ adapter], or a stored sft/grpo run) answers each item greedily; the
// strategies (greedy, sc = self-consistency, bf = budget forcing) run uniformly, selectively below
// --tau, or over a tau sweep; each point reports F1 / Brier / ECE with bootstrap CIs and generated
// tokens per item. Budget forcing's greedy pass is its round 0, so with bf the greedy answers come
// from it (one greedy pass in all). The run (kind "ttc") stores one prediction per item with every
// round's completions: bf's outcome when bf ran, else sc's, else greedy's; the other strategies'
// outcomes of the item go to details_json under "outcomes".
#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

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
#include "train/policy.h"
#include "train/recorder.h"
#include "train/task_data.h"
#include "ttc/budget_forcing.h"
#include "ttc/greedy.h"
#include "ttc/lm_sampler.h"
#include "ttc/selective.h"
#include "ttc/self_consistency.h"
#include "ttc/sweep.h"

using nlohmann::json;

namespace ps::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, ','))
    if (!x.empty()) out.push_back(x);
  return out;
}

store::Prediction to_prediction(const data::Item& it, const std::string& prompt, const ttc::TtcOutcome& o,
                                const std::string& strategy, double tau, const json& others) {
  store::Prediction p;
  p.item_key = train::item_key(it);
  p.cell_line = it.cell_line;
  p.perturber = it.pert;
  p.target = it.gene;
  p.label = it.label;
  p.prediction = o.answer.ok() ? (o.answer.de ? 1.0 : 0.0) : NAN;
  p.confidence = o.answer.ok() ? o.p_de : 0.5;
  p.tokens = o.total_tokens();
  p.ttc_round = static_cast<int>(o.rounds.size());
  if (!o.rounds.empty() && !o.rounds.back().completions.empty()) p.trace = o.rounds.back().completions[0].text;
  p.prompt = prompt;
  p.parse_failure = o.answer.ok() ? "" : prompt::to_string(o.answer.failure);
  json d = o.to_json();
  d["set"] = "ttc_val";
  d["strategy"] = strategy;
  d["tau"] = std::isfinite(tau) ? json(tau) : json(nullptr);
  d["confidence"] = o.answer.ok() ? json(o.answer.confidence) : json(nullptr);
  if (!others.empty()) d["outcomes"] = others;
  p.details_json = d.dump();
  return p;
}

}  // namespace

int cmd_ttc(const Argv& argv) {
  using K = Option::Kind;
  Args args("ttc", argv,
            {{"run", true, "a stored sft/grpo run: its model, adapter and prompt settings", K::Integer, "Policy"},
             {"model", true, "model folder (config.json, model.safetensors, tokenizer.json)", K::Text, "Policy"},
             {"adapter", true, "PEFT LoRA adapter folder", K::Text, "Policy"},
             {"tokenizer", true, "tokenizer.json or folder (default: the model folder's)", K::Text, "Policy"},
             {"strategies", true, "comma-separated: greedy, sc, bf (default greedy,sc)", K::List, "Strategies"},
             {"k", true, "self-consistency samples per item (default 8)", K::Integer, "Strategies"},
             {"vote", true, "self-consistency vote: weighted | majority | mean (default weighted)", K::Text, "Strategies"},
             {"tau", true, "selective: extra compute only for items whose greedy confidence is below TAU in [0, 1]", K::Number,
              "Strategies"},
             {"tau-sweep", false, "selective at tau = 0, 0.05, ..., 1 (the Pareto frontier), uniform points included", K::Text,
              "Strategies"},
             {"bf-rounds", true, "budget forcing: \"Wait\" rounds after the greedy pass, at most (default 2)", K::Integer,
              "Budget forcing"},
             {"bf-budget", true, "budget forcing: thinking tokens per item over all rounds (default 256)", K::Integer,
              "Budget forcing"},
             {"bf-cue", true, "budget forcing: the text appended to the kept reasoning (default \"Wait,\")", K::Text,
              "Budget forcing"},
             {"n", true, "the first N TTC-validation items only (0 or absent: all)", K::Integer, "Items"},
             {"seed", true, "item sets and sampling seed (default 1)", K::Integer, "Items"},
             {"data", true, "data mirror folder", K::Text, "Items"},
             {"temperature", true, "sampling temperature of the extra samples (default 1)", K::Number, "Generation"},
             {"top-p", true, "nucleus mass (default 1)", K::Number, "Generation"},
             {"max-new-tokens", true, "tokens per completion (default 160)", K::Integer, "Generation"},
             {"batch-size", true, "rows per generation batch (default 32)", K::Integer, "Generation"},
             {"max-prompt-tokens", true, "prompt budget (default: the run's, else 1024)", K::Integer, "Generation"},
             {"device", true, "cpu | cuda[:N] (default cpu)", K::Text, "Generation"},
             {"bootstrap", true, "bootstrap resamples for the CIs (default 1000)", K::Integer, "Statistics"},
             {"no-store", false, "do not store the run", K::Text, "Output"},
             {"config", true, "options from a JSON file {\"kind\": \"ttc\", \"strategies\": [...], ...}; flags given here override it",
              K::Text, "Output"},
             {"validate", false, "check the options (and that the run or model folder exists) and exit", K::Text, "Output"},
             {"store", true, "experiment store", K::Text, "Output"},
             {"json", false, "print one JSON object", K::Text, "Output"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli ttc (--run ID | --model DIR [--adapter DIR]) [--strategies greedy,sc,bf] [--k 8] "
                "[--bf-rounds R] [--bf-budget T] [--tau T | --tau-sweep] [--n N] [--json]\n"
                "       perturbscope-cli ttc --config FILE [flags overriding it] [--validate]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("ttc: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("config")) args.read_config(args.get("config"));
  args.prefer_command_line("model", "run");
  args.prefer_command_line("tau", "tau-sweep");
  if (args.has("model") && args.has("run"))
    args.fail("run", "cannot be combined with model (give exactly one of them)");
  if (!args.has("model") && !args.has("run"))
    args.fail("run", args.config_path().empty()
                         ? std::string("or --model is required (give exactly one of --model, --run)")
                         : std::string("required: the id of a finished sft or grpo run (or give model, a folder)"));
  if (args.has("tau") && args.has("tau-sweep")) args.fail("tau", "cannot be combined with the tau sweep (give at most one of them)");
  const std::vector<std::string> strategies = split_list(args.get("strategies", "greedy,sc"));
  if (strategies.empty()) args.fail("strategies", "is empty");
  for (const auto& s : strategies)
    if (s != "greedy" && s != "sc" && s != "bf") args.fail("strategies", "has an unknown strategy '" + s + "' (greedy, sc, bf)");
  const long k = args.get_int("k", 8);
  if (k < 1 || k > 1024) args.fail("k", "must be in [1, 1024], got " + std::to_string(k));
  ttc::Vote vote;
  try {
    vote = ttc::vote_from_string(args.get("vote", "weighted"));
  } catch (const Error& e) {
    args.fail("vote", std::string("is invalid: ") + e.what());
  }
  double tau = NAN;
  if (args.has("tau")) {
    tau = args.get_double("tau", 0);
    if (!(tau >= 0 && tau <= 1)) args.fail("tau", "must be in [0, 1], got " + args.get("tau"));
  }
  ttc::BudgetForcingConfig bfc;
  bfc.max_rounds = args.get_int("bf-rounds", 2);
  if (bfc.max_rounds < 1 || bfc.max_rounds > 1000) args.fail("bf-rounds", "must be in [1, 1000], got " + args.get("bf-rounds"));
  bfc.thinking_token_budget = args.get_int("bf-budget", 256);
  if (bfc.thinking_token_budget < 1 || bfc.thinking_token_budget > (1 << 20))
    args.fail("bf-budget", "must be in [1, 1048576], got " + args.get("bf-budget"));
  bfc.cue = args.get("bf-cue", "Wait,");
  if (bfc.cue.empty()) args.fail("bf-cue", "must not be empty");
  const long n = args.get_int("n", 0);
  if (n < 0) args.fail("n", "must be >= 0 (0: every item), got " + args.get("n"));
  const long seed = args.get_int("seed", 1);
  if (seed < 0) args.fail("seed", "must be >= 0, got " + args.get("seed"));
  const long run = args.get_int("run", 0);
  if (args.has("run") && run < 1) args.fail("run", "must be a run id >= 1, got " + args.get("run"));
  ttc::LmSamplerOptions so;
  so.temperature = args.get_double("temperature", 1.0);
  so.top_p = args.get_double("top-p", 1.0);
  so.max_new_tokens = args.get_int("max-new-tokens", 160);
  so.batch_rows = args.get_int("batch-size", 32);
  so.seed = static_cast<uint64_t>(seed);
  if (!(so.temperature > 0 && so.temperature <= 100)) args.fail("temperature", "must be in (0, 100], got " + args.get("temperature"));
  if (!(so.top_p > 0 && so.top_p <= 1)) args.fail("top-p", "must be in (0, 1], got " + args.get("top-p"));
  if (so.max_new_tokens < 1 || so.max_new_tokens > (1 << 20))
    args.fail("max-new-tokens", "must be in [1, 1048576], got " + args.get("max-new-tokens"));
  if (so.batch_rows < 1 || so.batch_rows > 4096) args.fail("batch-size", "must be in [1, 4096], got " + args.get("batch-size"));
  const long bootstrap = args.get_int("bootstrap", 1000);
  if (bootstrap < 0 || bootstrap > 1000000) args.fail("bootstrap", "must be in [0, 1000000], got " + args.get("bootstrap"));
  if (args.has("max-prompt-tokens")) {
    const long m = args.get_int("max-prompt-tokens", 1024);
    if (m < 16 || m > (1 << 20)) args.fail("max-prompt-tokens", "must be in [16, 1048576], got " + args.get("max-prompt-tokens"));
  }
  // The core's own checks of the budget-forcing and sampler settings (what they will run with),
  // their message beside the option that set the field it names.
  const auto core_check = [&](const std::function<void()>& validate) {
    try {
      validate();
    } catch (const Error& e) {
      const std::string m = e.what();
      static const std::vector<std::pair<const char*, const char*>> field_option = {
          {"max_rounds", "bf-rounds"}, {"thinking_token_budget", "bf-budget"}, {"cue", "bf-cue"},
          {"max_new_tokens", "max-new-tokens"}, {"temperature", "temperature"}, {"top_p", "top-p"},
          {"batch_rows", "batch-size"}};
      for (const auto& [field, option] : field_option)
        if (m.find(std::string(field) + " ") != std::string::npos) args.fail(option, "is invalid: " + m);
      throw;
    }
  };
  core_check([&] { bfc.validate(); });
  core_check([&] { so.validate(); });
  const std::string store_path = args.get("store", ps::default_store_path());

  // Flags are checked before the store or a model is opened: a bad value is a usage error (exit 2).
  const at::Device device = [&] {
    try {
      return parse_device("ttc", args.get("device", "cpu"));
    } catch (const UsageError&) {
      args.fail("device", "must be cpu or cuda[:N], got '" + args.get("device") + "'");
    }
  }();
  std::optional<store::Store> st;
  auto [model_dir, adapter_dir, pc, dc] = resolve_policy(args, store_path, run, st);
  if (args.has("validate")) {
    check_policy_inputs(args, model_dir, adapter_dir);
    std::printf("%s: valid\n", args.config_path().empty() ? "ttc" : args.config_path().c_str());
    return 0;
  }
  lm::keep_freed_memory_for_reuse();
  auto policy = train::Policy::load(model_dir, adapter_dir, args.get("tokenizer"), device, train::parse_dtype("auto", device));
  so.stop_ids = policy.stop_ids;
  so.vocab_limit = policy.tok.vocab_size();
  if (auto te = policy.tok.token_id("</think>")) so.think_end_id = *te;
  const bool want_bf = std::find(strategies.begin(), strategies.end(), "bf") != strategies.end();
  if (want_bf && so.think_end_id < 0)
    throw Error(model_dir + ": the tokenizer has no \"</think>\" token, which budget forcing (bf) needs");
  bfc.group_size = so.batch_rows;
  if (auto pad = policy.tok.token_id("<|endoftext|>")) so.pad_id = *pad;

  std::vector<ttc::ScoredPoint> points;
  int64_t run_id = 0;
  std::unique_ptr<train::Recorder> rec;
  auto outcome = run_with_progress("ttc", [&](jobs::JobContext& ctx) {
    auto td = train::TaskData::load(dc, static_cast<uint64_t>(seed), ctx, 0.0, 0.1);
    auto items = td->select("ttc_val", "all", n);
    auto ev = td->evidence(items);
    std::vector<std::string> prompts;
    std::vector<std::vector<int64_t>> ids;
    prompt::TokenCounter count = [&](const std::string& s) { return policy.tok.encode(s).size(); };
    const int64_t ctx_len = policy.model->config().max_position_embeddings;
    for (size_t i = 0; i < ev.size(); ++i) {
      prompts.push_back(prompt::build_prompt(ev[i], pc, count).text);
      ids.push_back(policy.encode(prompts.back()));
      if (static_cast<int64_t>(ids.back().size()) + so.max_new_tokens > ctx_len)
        throw Error("ttc: the prompt of " + train::item_key(items[i]) + " has " + std::to_string(ids.back().size()) +
                    " tokens; with --max-new-tokens " + std::to_string(so.max_new_tokens) +
                    " it exceeds the model's context of " + std::to_string(ctx_len));
    }
    std::vector<int> labels, groups;
    std::map<std::string, int> gid;
    for (const auto& it : items) {
      labels.push_back(it.label);
      groups.push_back(gid.emplace(it.cell_line + "|" + it.gene, static_cast<int>(gid.size())).first->second);
    }
    if (st && !args.has("no-store")) {  // --run with --no-store: the store is read for the policy only
      json conf = {{"model_dir", model_dir}, {"adapter_dir", adapter_dir}, {"split", "ttc_val"}, {"n", n},
                   {"seed", seed}, {"strategies", strategies}, {"k", k}, {"vote", ttc::to_string(vote)},
                   {"tau", std::isfinite(tau) ? json(tau) : json(nullptr)}, {"tau_sweep", args.has("tau-sweep")},
                   {"temperature", so.temperature}, {"top_p", so.top_p}, {"max_new_tokens", so.max_new_tokens},
                   {"bf", {{"max_rounds", bfc.max_rounds}, {"thinking_token_budget", bfc.thinking_token_budget},
                           {"cue", bfc.cue}}},
                   {"prompt", pc.to_json()}, {"data", dc.to_json()}};
      if (args.has("run")) conf["source_run"] = run;
      rec = std::make_unique<train::Recorder>(*st, "ttc", "ttc " + args.get("strategies", "greedy,sc"), conf);
      run_id = rec->run_id();
    }
    try {
      lm::Decoder dec = [&](const std::vector<int64_t>& x) { return policy.decode(x, /*skip_special=*/false); };
      // Counts generation calls for the progress line; cancellable between calls.
      ttc::Encoder enc = [&](const std::string& text) { return policy.encode(text); };
      int64_t calls = 0;
      std::string round_text;
      const auto fraction = [&](double within_call) {
        return 0.1 + 0.8 * std::min(1.0, (static_cast<double>(calls) + within_call) / (1.0 + strategies.size()));
      };
      // Progress and cancellation inside a round too (a round of self-consistency is items x K rows).
      so.on_batch = [&](int64_t done, int64_t total) {
        ctx.check_cancelled();
        ctx.report(fraction(static_cast<double>(done) / std::max<int64_t>(1, total)),
                   round_text + " (" + std::to_string(done) + "/" + std::to_string(total) + " rows)");
      };
      ttc::Sampler base = ttc::lm_sampler(*policy.model, ids, dec, so, enc);
      ttc::Sampler sample = [&](const std::vector<size_t>& its, const ttc::SampleRequest& req) {
        ctx.check_cancelled();
        if (req.mode == ttc::SampleRequest::Mode::Release) return base(its, req);
        round_text = "round " + std::to_string(req.round) + ": " + std::to_string(its.size()) + " items x " +
                     std::to_string(req.k);
        ctx.report(fraction(0.0), round_text);
        auto out = base(its, req);
        ++calls;
        return out;
      };
      std::vector<size_t> all(items.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      metrics::SummaryOptions mo;
      mo.bootstrap_resamples = static_cast<int>(bootstrap);
      mo.seed = static_cast<uint64_t>(seed);
      const bool want_greedy = std::find(strategies.begin(), strategies.end(), "greedy") != strategies.end();
      const bool want_sc = std::find(strategies.begin(), strategies.end(), "sc") != strategies.end();
      // Budget forcing first: its round 0 is the greedy pass (uniform: tau 1; the sweep recomposes
      // every tau from that run, continued_at_tau).
      std::vector<ttc::TtcOutcome> bf;
      if (want_bf) {
        ttc::BudgetForcingConfig c = bfc;
        c.tau = std::isfinite(tau) ? tau : 1.0;
        bf = ttc::BudgetForcing(c).run(all, sample);
      }
      // Greedy answers are needed unless only uniform self-consistency is asked for.
      const bool need_greedy = want_greedy || want_bf || !want_sc || std::isfinite(tau) || args.has("tau-sweep");
      std::vector<ttc::TtcOutcome> greedy;
      if (want_bf) {
        for (const auto& o : bf) greedy.push_back(ttc::outcome_of_single(o.rounds.at(0)));
      } else if (need_greedy) {
        greedy = ttc::Greedy().run(all, sample);
      }
      auto sc = std::make_shared<ttc::SelfConsistency>(k, vote);
      std::vector<ttc::TtcOutcome> stored = greedy, sc_out;
      std::string stored_name = "greedy";
      double stored_tau = NAN;
      if (args.has("tau-sweep")) {
        std::vector<std::pair<std::string, std::vector<ttc::TtcOutcome>>> uniform;
        if (want_sc) uniform.emplace_back("sc", sc->run(all, sample));
        if (want_bf) uniform.emplace_back("bf", bf);
        points = ttc::tau_sweep(greedy, uniform, ttc::default_taus(), labels, groups, mo);
        if (want_sc) {  // tau = 1: every item's greedy and extra rounds, from which any tau recomposes
          sc_out.resize(all.size());
          for (size_t i = 0; i < all.size(); ++i) sc_out[i] = ttc::compose_selective(greedy[i], uniform[0].second[i], 1.0);
          stored = sc_out;
          stored_name = "selective-sc";
          stored_tau = 1.0;
        }
        if (want_bf) {  // bf ran at tau 1: its rounds hold every tau's
          stored = bf;
          stored_name = "selective-bf";
          stored_tau = 1.0;
        }
      } else {
        if (want_greedy || !(want_sc || want_bf) || std::isfinite(tau))
          points.push_back(ttc::score("greedy", false, NAN, greedy, labels, groups, mo));
        if (want_sc) {
          if (std::isfinite(tau)) {
            sc_out = ttc::Selective(sc, tau).extend(all, greedy, sample);
            points.push_back(ttc::score("sc", true, tau, sc_out, labels, groups, mo));
            stored_name = "selective-sc";
          } else {
            sc_out = sc->run(all, sample);
            points.push_back(ttc::score("sc", false, NAN, sc_out, labels, groups, mo));
            stored_name = "sc";
          }
          stored = sc_out;
          stored_tau = tau;
        }
        if (want_bf) {
          points.push_back(ttc::score("bf", std::isfinite(tau), tau, bf, labels, groups, mo));
          stored = bf;
          stored_name = std::isfinite(tau) ? "selective-bf" : "bf";
          stored_tau = tau;
        }
        ttc::mark_pareto(points);
      }
      if (rec) {
        std::vector<store::Prediction> preds;
        for (size_t i = 0; i < items.size(); ++i) {
          json others = json::object();  // the other strategies' outcomes of this item
          if (want_bf && !sc_out.empty()) others["sc"] = sc_out[i].to_json();
          preds.push_back(to_prediction(items[i], prompts[i], stored[i], stored_name, stored_tau, others));
        }
        rec->store().add_predictions(run_id, preds);
        json s = {{"strategies", json::array()}, {"stored_strategy", stored_name},
                  {"stored_tau", std::isfinite(stored_tau) ? json(stored_tau) : json(nullptr)},
                  {"model_dir", model_dir}};
        for (const auto& p : points) s["strategies"].push_back(p.to_json());
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
  json j = {{"strategies", json::array()}};
  for (const auto& p : points) j["strategies"].push_back(p.to_json());
  if (run_id) j["run_id"] = run_id;
  if (args.has("json")) {
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%-8s %-9s %5s %5s  %-24s %7s %7s %9s %s\n", "strategy", "selective", "tau", "n", "F1 [95% CI]", "Brier",
              "ECE", "tok/item", "pareto");
  for (const auto& p : points) {
    const auto& s = p.summary;
    char f1[80] = "n/a";  // undefined (no DE item among the answered ones): n/a, never 0 or nan
    if (std::isfinite(s.at_threshold.f1) && std::isfinite(s.f1_ci.lo))
      std::snprintf(f1, sizeof f1, "%.4f [%.4f, %.4f]", s.at_threshold.f1, s.f1_ci.lo, s.f1_ci.hi);
    else if (std::isfinite(s.at_threshold.f1))
      std::snprintf(f1, sizeof f1, "%.4f", s.at_threshold.f1);
    std::printf("%-8s %-9s %5s %5lld  %-24s %7.4f %7.4f %9.1f %s\n", p.name.c_str(), p.selective ? "yes" : "no",
                std::isfinite(p.tau) ? std::to_string(p.tau).substr(0, 4).c_str() : "-", static_cast<long long>(p.n), f1,
                s.brier, s.ece, p.tokens_per_item, p.pareto ? "*" : "");
  }
  if (run_id) std::printf("stored as run %lld in %s\n", static_cast<long long>(run_id), store_path.c_str());
  return 0;
}

}  // namespace ps::cli
