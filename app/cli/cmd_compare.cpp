// perturbscope-cli compare RUN RUN [RUN...]: runs scored on identical items side by side (KNN-KG
// runs and policies alike: P(DE) is each prediction's `confidence`), each run's F1 / Brier / ECE /
// per-gene AUROC with bootstrap CIs, and every later run's paired-bootstrap difference against the
// first (metrics/run_comparison.h). Runs whose item sets differ are refused with the difference named,
// unless --intersect restricts every run to the items they all hold (each run's dropped count is reported).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/policy_run.h"
#include "common/error.h"
#include "common/paths.h"
#include "metrics/run_comparison.h"
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
    if (std::find(ids.begin(), ids.end(), v) != ids.end())
      throw UsageError("compare: run " + std::to_string(v) + " is given twice (give each run once)");
    ids.push_back(v);
  }
  const long bootstrap = args.get_int("bootstrap", 1000);
  if (bootstrap < 0 || bootstrap > 1000000) throw UsageError("compare: --bootstrap must be in [0, 1000000]");
  const long seed = args.get_int("seed", 1);
  if (seed < 0) throw UsageError("compare: --seed must be >= 0");
  const std::string store_path = args.get("store", ps::default_store_path());
  require_store(store_path, ids.front());  // a wrong --store is an error, not a new empty store
  store::Store st(store_path);

  // Each run's predictions as the comparison's items, checked as they are read.
  std::vector<metrics::ComparisonInput> runs;
  for (int64_t id : ids) {
    auto r = st.get_run(id);
    if (!r) throw Error(store_path + ": no run with id " + std::to_string(id));
    runs.push_back(metrics::comparison_input(*r, st.predictions(id)));
    metrics::validate_input(runs.back());
  }
  metrics::ComparisonOptions co;
  co.item_sets = args.has("intersect") ? metrics::ItemSets::Intersect : metrics::ItemSets::Identical;
  co.resamples = static_cast<int>(bootstrap);
  co.seed = static_cast<uint64_t>(seed);
  const metrics::RunComparison c = metrics::compare_runs(runs, co);

  json j = {{"n", c.n}, {"runs", json::array()}, {"differences", json::array()}};
  for (const auto& r : c.runs) {
    const auto& s = r.summary;
    j["runs"].push_back({{"id", r.id}, {"kind", r.kind}, {"name", r.name}, {"items_dropped", r.items_dropped},
                         {"f1", num(s.at_threshold.f1)}, {"f1_ci", ci(s.f1_ci)}, {"brier", num(s.brier)},
                         {"brier_ci", ci(s.brier_ci)}, {"ece", num(s.ece)}, {"ece_ci", ci(s.ece_ci)},
                         {"auroc_per_gene", num(s.auroc_per_gene)}, {"auroc_per_gene_ci", ci(s.auroc_per_gene_ci)}});
  }
  for (const auto& d : c.differences) {
    json o = {{"run", c.runs[d.run].id}, {"against", c.runs[d.against].id}};
    for (const auto& x : d.diffs) o[x.metric] = {{"diff", num(x.diff)}, {"ci", ci(x.ci)}};
    j["differences"].push_back(o);
  }
  if (args.has("json")) {
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  auto f = [](const json& v) { return v.is_null() ? std::string("null") : std::to_string(v.get<double>()).substr(0, 7); };
  if (args.has("intersect")) {
    // What --intersect left out of each run (the JSON's items_dropped).
    std::string dropped;
    for (const auto& r : c.runs)
      dropped += (dropped.empty() ? "" : ", ") + std::string("run ") + std::to_string(r.id) + " dropped " +
                 std::to_string(r.items_dropped);
    std::printf("%lld items held by every run (--intersect: %s)\n", static_cast<long long>(c.n), dropped.c_str());
  } else {
    std::printf("%lld items, identical in every run\n", static_cast<long long>(c.n));
  }
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
