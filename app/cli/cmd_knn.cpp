// perturbscope-cli knn: evaluate the KNN-KG predictor on PerturbQA cell lines (or any file
// in PerturbQA's column format), print the metrics, and store the run with its per-item
// predictions.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "jobs/job.h"
#include "kg/evaluation.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace ps::cli {

namespace {

constexpr long kMaxBootstrap = 1000000;  // resamples (memory: 8 bytes x metrics x resamples)

std::string fmt_ci(double v, const ps::metrics::Interval& ci, bool with_ci) {
  char buf[96];
  if (!std::isfinite(v)) return "n/a";
  if (with_ci && std::isfinite(ci.lo))
    std::snprintf(buf, sizeof buf, "%.4f [%.4f, %.4f]", v, ci.lo, ci.hi);
  else
    std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void print_human(const ps::kg::KnnEvalResult& r, const ps::kg::KnnEvalConfig& cfg) {
  const bool ci = cfg.bootstrap > 0;
  std::printf("KNN-KG  k=%d  sources %s  combiner %s  calibration %s  (95%% bootstrap CIs, %d resamples)\n", cfg.knn.k,
              cfg.knn.sources.to_string().c_str(), cfg.knn.combiner.c_str(), cfg.calibration.c_str(), cfg.bootstrap);
  for (const auto& c : r.cells) {
    const auto& s = c.summary;
    if (c.setting != "official") std::printf("\n[%s setting; calibrated on a validation split by %s]", c.setting.c_str(), c.calibration_split.c_str());
    std::printf("\n%s: %lld test items (%lld DE), train %lld, validation %lld, %lld unresolved symbols\n",
                c.cell_line.c_str(), static_cast<long long>(c.n_test), static_cast<long long>(s.n_positive),
                static_cast<long long>(c.n_train), static_cast<long long>(c.n_val),
                static_cast<long long>(c.unresolved.size()));
    if (!c.unresolved.empty()) {
      std::string list;
      for (size_t i = 0; i < c.unresolved.size() && i < 12; ++i) list += (i ? ", " : "") + c.unresolved[i];
      std::printf("  unresolved: %s%s\n", list.c_str(), c.unresolved.size() > 12 ? ", ..." : "");
    }
    for (const auto& k : c.kept_distinct) std::printf("  kept distinct: %s\n", k.c_str());
    std::printf("  AUROC per gene   %s  (%lld genes, %lld single-class skipped; validation %.4f)\n",
                fmt_ci(s.auroc_per_gene, s.auroc_per_gene_ci, ci).c_str(), static_cast<long long>(s.genes_used),
                static_cast<long long>(s.genes_skipped), c.val_auroc_per_gene);
    std::printf("  AUROC pooled     %s\n", fmt_ci(s.auroc_pooled, s.auroc_pooled_ci, ci).c_str());
    std::printf("  F1 @%.2f         %s  (precision %s, recall %s)\n", s.at_threshold.threshold,
                fmt_ci(s.at_threshold.f1, s.f1_ci, ci).c_str(), fmt_ci(s.at_threshold.precision, {}, false).c_str(),
                fmt_ci(s.at_threshold.recall, {}, false).c_str());
    if (std::isfinite(s.f1_optimal.f1))
      std::printf("  F1 optimal       %.4f at threshold %.4f\n", s.f1_optimal.f1, s.f1_optimal.threshold);
    else
      std::printf("  F1 optimal       n/a (no DE item)\n");
    std::printf("  Brier            %s\n", fmt_ci(s.brier, s.brier_ci, ci).c_str());
    std::printf("  ECE (10 bins)    %s\n", fmt_ci(s.ece, s.ece_ci, ci).c_str());
    if (c.sign.evaluated)
      std::printf("  sign accuracy    %s on %lld DE pairs (majority direction %.4f; direction AUROC per gene %.4f)\n",
                  fmt_ci(c.sign.sign_accuracy, c.sign.sign_accuracy_ci, ci).c_str(),
                  static_cast<long long>(c.sign.n_test), c.sign.majority_accuracy, c.sign.auroc_per_gene);
    if (c.baseline.evaluated)
      std::printf("  vs %-13s %.4f per gene; difference %s (paired, genes resampled)\n",
                  c.baseline.old_default ? c.baseline.name.c_str() : "STRING-only", c.baseline.auroc_per_gene, fmt_ci(c.baseline.difference, c.baseline.difference_ci, ci).c_str());
    std::printf("  %.2f s\n", c.seconds);
  }
  std::printf("\ntotal %.2f s (graph %.2f s%s)\n", r.seconds, r.graph_seconds, r.graph_from_cache ? ", from cache" : "");
}

}  // namespace

int cmd_knn(const Argv& argv) {
  Args args("knn", argv,
            {{"cell-line", true, "k562 | rpe1 | hepg2 | jurkat | all (required; with --csv: a label)"},
             {"k", true, "neighbours that vote, 1 to --pool (default 20)"},
             {"pool", true, "closest train perturbers searched for voters (default 400)"},
             {"sources", true, "graph sources and weights, e.g. string or string,go,reactome or string:1,go:1,reactome:2 "
                               "(default string:1,go:1,reactome:2; a source named without a weight keeps that default)"},
             {"target-k", true, "target-gene neighbours (default 10; 0 = off)"},
             {"beta", true, "weight of the target-neighbourhood estimate, in [0, 1] (default 0.2)"},
             {"gamma", true, "weight of the perturbation-strength term, in [0, 1e6] (default 0.5)"},
             {"alpha", true, "shrinkage toward the target's base rate, in (0, 1e12] (default 1)"},
             {"power", true, "neighbour weight = score^power, in (0, 100] (default 1)"},
             {"combiner", true, "logistic (learned on out-of-fold train rows; default) | gbdt (the same, stage 1 by "
                                "boosted trees, XGBoost, one thread) | linear (the fixed formula)"},
             {"l2", true, "logistic combiner: L2 penalty, in [0, 1e12] (default 3000)"},
             {"folds", true, "logistic combiner: out-of-fold folds, 2 to 1000 (default 4)"},
             {"holdout-cell-line", true, "train on the other three cell lines, test this one (its official test items)"},
             {"unseen-targets", true, "hold out this fraction of train *targets* as the test set (official test unused)"},
             {"split", true, "the split to evaluate (default test)"},
             {"csv", true, "evaluate this file in PerturbQA's format (pert,gene,label,split) instead"},
             {"train-split", true, "with --csv: the training split's name (default train)"},
             {"test-split", true, "with --csv: the evaluated split's name (default test)"},
             {"calibration", true, "isotonic | platt | none (fitted on a validation split of train; default isotonic)"},
             {"val-fraction", true, "fraction of train perturbers held out for calibration (default 0.2)"},
             {"threshold", true, "probability threshold for F1, in [0, 1] (default 0.5)"},
             {"bootstrap", true, "bootstrap resamples for the CIs, at most 1000000 (default 1000; 0 = none)"},
             {"seed", true, "seed of the validation split and the bootstrap, >= 0 (default 7)"},
             {"no-signed", false, "skip the signed-effect (up/down) evaluation"},
             {"baseline", false, "also run plain STRING top-k KNN and report the paired per-gene AUROC difference"},
             {"baseline-old", false, "also run the previous default (linear combiner) and report the paired difference"},
             {"cross-line-evidence", false, "add the other three lines' labels as evidence (its own setting)"},
             {"baseline-no-evidence", false, "with --cross-line-evidence: compare with the same predictor without it"},
             {"threads", true, "worker threads, 1 to 4 x the CPU threads, at most 256 (default 2)"},
             {"json", false, "print one JSON object"},
             {"store", true, "experiment store (default $PERTURBSCOPE_STORE or the user data folder)"},
             {"no-store", false, "do not store the run"},
             {"data", true, "data folder (default: located)"},
             {"cache-dir", true, "knowledge-graph cache folder (default: user cache)"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli knn --cell-line CELL [--k 20] [--sources string,go,reactome] [--split test] "
                "[--json] [--store PATH]\n       perturbscope-cli knn --csv FILE --cell-line LABEL --train-split NAME "
                "--test-split NAME\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("knn: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("cell-line") && !args.has("holdout-cell-line"))
    throw UsageError("knn: --cell-line (or --holdout-cell-line) is required");

  ps::kg::KnnEvalConfig cfg;
  cfg.data_dir = args.get("data");
  cfg.cache_dir = args.get("cache-dir");
  const std::string cell = args.has("holdout-cell-line") && !args.has("cell-line") ? args.get("holdout-cell-line")
                                                                                     : args.get("cell-line");
  cfg.csv = args.get("csv");
  if (cell == "all") {
    if (!cfg.csv.empty()) throw UsageError("knn: --cell-line all cannot be combined with --csv");
    cfg.cell_lines = ps::data::cell_lines();
  } else {
    if (cfg.csv.empty()) {
      bool known = false;
      for (const auto& c : ps::data::cell_lines()) known = known || c == cell;
      if (!known)
        throw UsageError("knn: --" + std::string(args.has("cell-line") ? "cell-line" : "holdout-cell-line") +
                         ": unknown cell line '" + cell + "' (k562, rpe1, hepg2, jurkat or all)");
    }
    cfg.cell_lines = {cell};
  }
  if (cfg.csv.empty() && (args.has("train-split") || args.has("test-split")))
    throw UsageError("knn: --train-split / --test-split go with --csv");
  // The official files' splits are train and test: without --csv, --split can only name test.
  if (cfg.csv.empty() && args.has("split") && args.get("split") != "test")
    throw UsageError("knn: --split must be test with the official files (their splits are train and test), got '" +
                     args.get("split") + "'; other split names go with --csv");
  cfg.train_split = args.get("train-split", "train");
  cfg.test_split = args.get("test-split", args.get("split", "test"));
  if (cfg.test_split == cfg.train_split) throw UsageError("knn: the train and test splits must differ");
  // Every numeric flag is range-checked before any work (no narrowing, no NaN).
  constexpr long kIntMax = std::numeric_limits<int>::max();
  cfg.knn.k = static_cast<int>(args.get_int("k", 20, 1, kIntMax));
  cfg.knn.pool = static_cast<int>(args.get_int("pool", 400, 1, kIntMax));
  if (args.has("sources"))
    cfg.knn.sources = args.get_parsed("sources", [](const std::string& v) { return ps::kg::SourceWeights::parse(v); });
  cfg.knn.target_k = static_cast<int>(args.get_int("target-k", cfg.knn.target_k, 0, kIntMax));
  cfg.knn.beta = args.get_double("beta", cfg.knn.beta, 0.0, 1.0);
  cfg.knn.gamma = args.get_double("gamma", cfg.knn.gamma, 0.0, 1e6);
  cfg.knn.alpha = args.get_double("alpha", cfg.knn.alpha, 0.0, 1e12);
  cfg.knn.power = args.get_double("power", cfg.knn.power, 0.0, 100.0);
  cfg.knn.combiner = args.get_choice("combiner", cfg.knn.combiner, {"logistic", "gbdt", "linear"});
  cfg.knn.l2 = args.get_double("l2", cfg.knn.l2, 0.0, 1e12);
  cfg.knn.folds = static_cast<int>(args.get_int("folds", cfg.knn.folds, 2, 1000));
  cfg.threads = static_cast<int>(args.get_int("threads", 2, 1, ps::max_threads()));
  cfg.knn.fit_threads = cfg.threads;
  // The core's rules on top of the flag ranges (alpha > 0, power > 0, k <= pool, sources), named by flag.
  for (const auto& [field, why] : cfg.knn.validate()) {
    std::string flag = field == "fit_threads" ? "threads" : field;
    std::replace(flag.begin(), flag.end(), '_', '-');
    throw UsageError("knn: --" + flag + ": " + why);
  }
  cfg.holdout_cell_line = args.get("holdout-cell-line");
  cfg.unseen_target_fraction = args.get_double("unseen-targets", 0, 0.0, 1.0);
  cfg.calibration = args.get_choice("calibration", "isotonic", {"isotonic", "platt", "none"});
  ps::metrics::Calibrator::method_from_string(cfg.calibration);  // the core's list agrees
  cfg.val_fraction = args.get_double("val-fraction", 0.2, 0.0, 1.0);
  if (!(cfg.val_fraction > 0 && cfg.val_fraction < 1)) throw UsageError("knn: --val-fraction must be in (0, 1)");
  cfg.threshold = args.get_double("threshold", 0.5, 0.0, 1.0);
  cfg.bootstrap = static_cast<int>(args.get_int("bootstrap", 1000, 0, kMaxBootstrap));
  cfg.seed = static_cast<uint64_t>(args.get_int("seed", 7, 0, std::numeric_limits<long>::max()));
  cfg.signed_effect = !args.has("no-signed");
  cfg.compare_baseline = args.has("baseline") || args.has("baseline-old");
  if (args.has("baseline") && args.has("baseline-old")) throw UsageError("knn: --baseline and --baseline-old exclude each other");
  if (args.has("baseline-old")) {
    cfg.compare_old_default = true;
    cfg.baseline_knn = cfg.knn;
    cfg.baseline_knn.combiner = "linear";
  }
  cfg.cross_line_evidence = args.has("cross-line-evidence");
  if (cfg.cross_line_evidence && (!cfg.csv.empty() || !cfg.holdout_cell_line.empty() || cfg.unseen_target_fraction > 0))
    throw UsageError("knn: --cross-line-evidence goes with the official split only");
  if (args.has("baseline-no-evidence")) {
    if (!cfg.cross_line_evidence || cfg.compare_baseline)
      throw UsageError("knn: --baseline-no-evidence needs --cross-line-evidence and no other baseline");
    cfg.compare_baseline = cfg.compare_old_default = true;
    cfg.baseline_knn = cfg.knn;
    cfg.baseline_name = "no_evidence";
  }
  if (!cfg.holdout_cell_line.empty()) {
    bool known = false;
    for (const auto& c : ps::data::cell_lines()) known = known || c == cfg.holdout_cell_line;
    if (!known) throw UsageError("knn: unknown --holdout-cell-line '" + cfg.holdout_cell_line + "'");
    if (!cfg.csv.empty()) throw UsageError("knn: --holdout-cell-line cannot be combined with --csv");
    if (args.has("cell-line") && cell != cfg.holdout_cell_line)
      throw UsageError("knn: --cell-line and --holdout-cell-line name different lines");
  }
  if (args.has("unseen-targets")) {
    if (!(cfg.unseen_target_fraction > 0 && cfg.unseen_target_fraction < 1))
      throw UsageError("knn: --unseen-targets must be in (0, 1)");
    if (!cfg.csv.empty() || !cfg.holdout_cell_line.empty())
      throw UsageError("knn: --unseen-targets goes with the official files only");
  }
  const bool store_it = !args.has("no-store");
  cfg.keep_predictions = store_it;

  // Inputs that can be checked without the work are checked first.
  if (!cfg.csv.empty()) {
    std::error_code ec;
    if (!fs::exists(cfg.csv, ec)) throw Error(where(cfg.csv, 0, "no such file (--csv)"));
    if (fs::is_directory(cfg.csv, ec)) throw Error(where(cfg.csv, 0, "is a folder; --csv expects a PerturbQA-format CSV file"));
  }
  cfg.data_dir = ps::require_data(cfg.data_dir).dir;
  // The store is opened (created when missing) before the evaluation, so a bad path is
  // reported at once, and each cell line's run is stored as soon as it is done.
  std::string store_path;
  std::optional<ps::store::Store> store;
  if (store_it) {
    store_path = args.get("store", ps::default_store_path());
    std::error_code ec;
    if (fs::is_directory(store_path, ec))
      throw Error(where(store_path, 0, "is a folder; --store expects the experiment store's file"));
    store.emplace(store_path);
  }

  // With a store, each cell line is a run from the moment it starts (running, with progress),
  // filled as soon as it is done; a cancel or an error marks the line that was running.
  ps::kg::KnnStoredRuns stored;
  ps::kg::KnnEvalResult result;
  const std::string title = "knn " + (cell == "all" ? std::string("all cell lines") : cell);
  auto kept = [&] {
    if (stored.finished.empty()) return std::string();
    std::string s = "; finished cell lines kept as run" + std::string(stored.finished.size() > 1 ? "s" : "");
    for (auto rid : stored.finished) s += " " + std::to_string(rid);
    return s;
  };
  ps::jobs::Outcome outcome;
  try {
    outcome = run_with_progress(title, [&](ps::jobs::JobContext& ctx) {
      result = store ? ps::kg::run_and_store_knn_evaluation(cfg, nullptr, *store, ctx, stored,
                                                            "cancelled by the user (Ctrl-C or SIGTERM)")
                     : ps::kg::run_knn_evaluation(cfg, ctx);
    });
  } catch (const std::exception&) {
    if (stored.unfinished != 0)
      std::fprintf(stderr, "knn: %s failed; recorded as failed run %lld%s in %s\n", stored.unfinished_cell_line.c_str(),
                   static_cast<long long>(stored.unfinished), kept().c_str(), store_path.c_str());
    throw;
  }
  if (outcome == ps::jobs::Outcome::Cancelled) {
    if (stored.unfinished != 0)
      std::fprintf(stderr, "knn: cancelled during %s; recorded as cancelled run %lld%s in %s\n",
                   stored.unfinished_cell_line.c_str(), static_cast<long long>(stored.unfinished), kept().c_str(),
                   store_path.c_str());
    return 130;
  }
  const std::vector<int64_t>& run_ids = stored.finished;

  if (args.has("json")) {
    auto j = nlohmann::json::parse(result.to_json());
    if (!run_ids.empty()) {  // name the stored runs, so scripts can find them
      j["run_ids"] = run_ids;
      j["store"] = store_path;
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    print_human(result, cfg);
    if (!run_ids.empty()) {
      std::printf("stored as run%s", run_ids.size() > 1 ? "s" : "");
      for (auto id : run_ids) std::printf(" %lld", static_cast<long long>(id));
      std::printf(" in %s\n", store_path.c_str());
    }
  }
  return 0;
}

}  // namespace ps::cli
