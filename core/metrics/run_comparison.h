// Runs compared on the items they were all scored on: each run's headline metrics with bootstrap
// CIs (metrics/summary.h), and every other run's paired-bootstrap difference against a baseline run
// (metrics/paired.h: run − baseline, items drawn once per resample for both, genes for the per-gene
// AUROC). One computation for `perturbscope-cli compare` and the GUI's comparison view.
//
// Inputs: R >= 2 runs, each a list of scored items (key, gene group, 0/1 label, P(DE), parsed).
// Items are matched by key; the scored items are in the FIRST run's order (whatever the baseline),
// so a baseline switch changes only the differences, never a run's own CIs.
//
// Item sets (ComparisonOptions::item_sets):
//   Identical: every run must hold exactly the first run's keys; otherwise ps::Error from
//              align_items() naming the first run that differs, how many keys only one side holds
//              and the first few of each.
//   Intersect: every run is restricted to the keys all runs hold (each run's dropped count is
//              reported; identical_items says whether anything differed); ps::Error when no key is
//              shared by all runs.
//
// Errors (ps::Error), checked run by run in input order before any item matching: a run with no
// items ("run ID (KIND) has no predictions"), a label not 0/1, a P(DE) outside [0, 1] or NaN
// (naming the run and the item key); then a duplicated key, a label two runs disagree on, fewer than
// two runs, a baseline index out of range, invalid options.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/paired.h"
#include "metrics/summary.h"

namespace ps::metrics {

// One scored item of one run.
struct ComparedItem {
  std::string key;      // unique within a run, e.g. "k562|PERT|GENE" (store::Prediction::item_key)
  std::string group;    // the target gene the per-gene AUROC groups by, e.g. "k562|GENE"
  int label = -1;       // 0/1; anything else is an error
  double p = NAN;       // P(DE) in [0, 1]
  bool parsed = true;   // the run's answer for the item was parsed (language-model runs)
};

struct ComparisonInput {
  int64_t id = 0;                  // the run's id (only named in messages and results)
  std::string kind, name;          // "knn", "eval", "ttc", ... ; the run's display name
  bool parses_answers = false;     // a language-model run: its parse rate is defined
  std::vector<ComparedItem> items;
};

// A stored run as the comparison's input (ps::store::Run and ps::store::Prediction; a template so
// that metrics does not depend on store): P(DE) is each prediction's confidence, the per-gene AUROC
// groups by cell line and target, and a parse rate is defined for every run kind but "knn". Used by
// `perturbscope-cli compare` and the GUI's Compare tab alike.
template <class Run, class Prediction>
ComparisonInput comparison_input(const Run& run, const std::vector<Prediction>& predictions) {
  ComparisonInput in;
  in.id = run.id;
  in.kind = run.kind;
  in.name = run.name;
  in.parses_answers = run.kind != "knn";
  in.items.reserve(predictions.size());
  for (const auto& p : predictions)
    in.items.push_back({p.item_key, p.cell_line + "|" + p.target, p.label, p.confidence, p.parse_failure.empty()});
  return in;
}

enum class ItemSets { Identical, Intersect };

struct ComparisonOptions {
  ItemSets item_sets = ItemSets::Identical;  // see above
  size_t baseline = 0;       // index into the runs: the differences are run − runs[baseline]
  double threshold = 0.5;    // F1's decision threshold on P(DE) (item positive when p >= threshold)
  int ece_bins = 10;         // equal-width ECE bins
  int resamples = 1000;      // bootstrap resamples of every CI; 0: no intervals (NaN)
  uint64_t seed = 1;         // bootstrap seed (per-run summaries and paired differences alike)
  double level = 0.95;       // CI level
  int threads = 2;           // bootstrap threads
  void validate() const;     // ps::Error naming the field
};

struct ComparedRun {
  int64_t id = 0;
  std::string kind, name;
  int64_t items_total = 0;    // items the run holds
  int64_t items_dropped = 0;  // of those, not held by every run (Intersect); 0 with Identical
  double parse_rate = NAN;    // parsed / n on the scored items; NaN unless parses_answers (or n = 0)
  BinarySummary summary;      // on the scored items: F1 (at_threshold.f1), Brier, ECE, per-gene AUROC, CIs
};

struct ComparedDifference {
  size_t run = 0, against = 0;     // indices into RunComparison::runs (against = the baseline)
  std::vector<PairedDiff> diffs;   // "f1", "brier", "ece", "auroc_per_gene" (paired.h's order): run − against
};

struct RunComparison {
  int64_t n = 0;                 // scored items: the shared ones
  bool identical_items = true;   // every run held the same item set (before any intersection)
  size_t baseline = 0;
  std::vector<ComparedRun> runs;                // in input order
  std::vector<ComparedDifference> differences;  // every run but the baseline, in input order
  // The scored items, in the first run's order: labels [n], and each run's P(DE) [R][n] (what a
  // reliability diagram of the comparison draws).
  std::vector<int> labels;
  std::vector<std::vector<double>> probs;
};

// The per-run checks above (items present, labels 0/1, P(DE) in [0, 1]): ps::Error naming the run.
// compare_runs() makes them itself; a caller reading runs one by one may make them as it goes.
void validate_input(const ComparisonInput& run);

RunComparison compare_runs(const std::vector<ComparisonInput>& runs, const ComparisonOptions& opt = {});

}  // namespace ps::metrics
