// perturbscope-cli compare RUN RUN [RUN...]: runs scored on identical items side by side (KNN-KG
// runs and policies alike: P(DE) is each prediction's `confidence`), each run's F1 / Brier / ECE /
// per-gene AUROC with bootstrap CIs, and every later run's paired-bootstrap difference against the
// first (metrics/paired.h). Runs whose item sets differ are refused with the difference named,
// unless --intersect restricts every run to the items they all hold (each run's dropped count is reported).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/paths.h"
#include "metrics/paired.h"
#include "metrics/summary.h"
#include "store/store.h"

using nlohmann::json;

namespace ps::cli {

namespace {
json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
json ci(const metrics::Interval& i) { return {num(i.lo), num(i.hi)}; }
}  // namespace

int cmd_compare(const Argv& argv) {
  Args args("compare", argv,
            {{"bootstrap", true, "bootstrap resamples for the CIs (default 1000)"},
             {"seed", true, "bootstrap seed (default 1)"},
             {"intersect", false, "score on the items every run holds (e.g. a KNN-KG run of a whole split against a "
                                  "policy run on a subset) instead of refusing different item sets"},
             {"store", true, "experiment store"},
             {"json", false, "print one JSON object"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli compare RUN RUN [RUN...] [--json]\n%s", args.help().c_str());
    return 0;
  }
  const auto& pos = args.positionals();
  if (pos.size() < 2) throw UsageError("compare: give at least two run ids");
  std::vector<int64_t> ids;
  for (const auto& s : pos) {
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || v <= 0) throw UsageError("compare: '" + s + "' is not a run id");
    ids.push_back(v);
  }
  const long bootstrap = args.get_int("bootstrap", 1000);
  if (bootstrap < 0 || bootstrap > 1000000) throw UsageError("compare: --bootstrap must be in [0, 1000000]");
  const long seed = args.get_int("seed", 1);
  if (seed < 0) throw UsageError("compare: --seed must be >= 0");
  const std::string store_path = args.get("store", ps::default_store_path());
  store::Store st(store_path);

  struct RunData {
    store::Run run;
    std::vector<store::Prediction> preds;
    std::vector<std::string> keys;
  };
  std::vector<RunData> runs;
  for (int64_t id : ids) {
    auto r = st.get_run(id);
    if (!r) throw Error(store_path + ": no run with id " + std::to_string(id));
    RunData d{*r, st.predictions(id), {}};
    if (d.preds.empty()) throw Error("run " + std::to_string(id) + " (" + r->kind + ") has no predictions");
    for (const auto& p : d.preds) {
      if (p.label != 0 && p.label != 1)
        throw Error("run " + std::to_string(id) + ": item " + p.item_key + " has no label (" + std::to_string(p.label) + ")");
      if (!(std::isfinite(p.confidence) && p.confidence >= 0 && p.confidence <= 1))
        throw Error("run " + std::to_string(id) + ": item " + p.item_key + " has P(DE) " + std::to_string(p.confidence) +
                    " outside [0, 1]");
      d.keys.push_back(p.item_key);
    }
    runs.push_back(std::move(d));
  }
  std::vector<int64_t> dropped(runs.size(), 0);
  if (args.has("intersect")) {
    std::map<std::string, size_t> seen;
    for (const auto& r : runs)
      for (const auto& k : std::set<std::string>(r.keys.begin(), r.keys.end())) ++seen[k];
    for (size_t r = 0; r < runs.size(); ++r) {
      std::vector<store::Prediction> kept;
      for (auto& p : runs[r].preds)
        if (seen[p.item_key] == runs.size()) kept.push_back(std::move(p));
      dropped[r] = static_cast<int64_t>(runs[r].preds.size() - kept.size());
      runs[r].preds = std::move(kept);
      runs[r].keys.clear();
      for (const auto& p : runs[r].preds) runs[r].keys.push_back(p.item_key);
    }
    if (runs[0].preds.empty()) throw Error("compare: the runs share no item");
  }
  // Items in the first run's order; the others aligned to it (refused when the sets differ).
  const auto& first = runs[0];
  std::vector<int> labels, groups;
  std::map<std::string, int> gid;
  for (const auto& p : first.preds) {
    labels.push_back(p.label);
    groups.push_back(gid.emplace(p.cell_line + "|" + p.target, static_cast<int>(gid.size())).first->second);
  }
  std::vector<std::vector<double>> probs(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    const auto at = metrics::align_items(first.keys, runs[r].keys, "run " + std::to_string(ids[0]),
                                         "run " + std::to_string(ids[r]));
    for (size_t i = 0; i < at.size(); ++i) {
      const auto& p = runs[r].preds[at[i]];
      if (p.label != labels[i])
        throw Error("runs " + std::to_string(ids[0]) + " and " + std::to_string(ids[r]) + " disagree on the label of " +
                    p.item_key);
      probs[r].push_back(p.confidence);
    }
  }

  metrics::SummaryOptions so;
  so.bootstrap_resamples = static_cast<int>(bootstrap);
  so.seed = static_cast<uint64_t>(seed);
  metrics::PairedOptions po;
  po.resamples = static_cast<int>(bootstrap);
  po.seed = static_cast<uint64_t>(seed);
  json j = {{"n", static_cast<int64_t>(labels.size())}, {"runs", json::array()}, {"differences", json::array()}};
  for (size_t r = 0; r < runs.size(); ++r) {
    const auto s = metrics::summarize_binary(probs[r], labels, groups, so);
    j["runs"].push_back({{"id", ids[r]}, {"kind", runs[r].run.kind}, {"name", runs[r].run.name}, {"items_dropped", dropped[r]},
                         {"f1", num(s.at_threshold.f1)}, {"f1_ci", ci(s.f1_ci)}, {"brier", num(s.brier)},
                         {"brier_ci", ci(s.brier_ci)}, {"ece", num(s.ece)}, {"ece_ci", ci(s.ece_ci)},
                         {"auroc_per_gene", num(s.auroc_per_gene)}, {"auroc_per_gene_ci", ci(s.auroc_per_gene_ci)}});
    if (r == 0) continue;
    json d = {{"run", ids[r]}, {"against", ids[0]}};
    for (const auto& x : metrics::paired_differences(probs[0], probs[r], labels, groups, po))
      d[x.metric] = {{"diff", num(x.diff)}, {"ci", ci(x.ci)}};
    j["differences"].push_back(d);
  }
  if (args.has("json")) {
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  auto f = [](const json& v) { return v.is_null() ? std::string("null") : std::to_string(v.get<double>()).substr(0, 7); };
  std::printf("%zu items, identical in every run%s\n", labels.size(), args.has("intersect") ? " (--intersect)" : "");
  std::printf("%-6s %-8s %-24s %-26s %-26s %-26s %s\n", "run", "kind", "name", "F1 [95% CI]", "Brier", "ECE", "AUROC/gene");
  for (const auto& r : j["runs"])
    std::printf("%-6lld %-8s %-24s %-26s %-26s %-26s %s\n", static_cast<long long>(r["id"].get<int64_t>()),
                r["kind"].get<std::string>().c_str(), r["name"].get<std::string>().substr(0, 24).c_str(),
                (f(r["f1"]) + " [" + f(r["f1_ci"][0]) + ", " + f(r["f1_ci"][1]) + "]").c_str(),
                (f(r["brier"]) + " [" + f(r["brier_ci"][0]) + ", " + f(r["brier_ci"][1]) + "]").c_str(),
                (f(r["ece"]) + " [" + f(r["ece_ci"][0]) + ", " + f(r["ece_ci"][1]) + "]").c_str(),
                (f(r["auroc_per_gene"]) + " [" + f(r["auroc_per_gene_ci"][0]) + ", " + f(r["auroc_per_gene_ci"][1]) + "]").c_str());
  std::printf("paired differences (run − run %lld), 95%% paired bootstrap CIs:\n", static_cast<long long>(ids[0]));
  for (const auto& d : j["differences"]) {
    std::printf("  run %lld:", static_cast<long long>(d["run"].get<int64_t>()));
    for (const char* m : {"f1", "brier", "ece", "auroc_per_gene"})
      std::printf("  %s %s [%s, %s]", m, f(d[m]["diff"]).c_str(), f(d[m]["ci"][0]).c_str(), f(d[m]["ci"][1]).c_str());
    std::printf("\n");
  }
  return 0;
}

}  // namespace ps::cli
