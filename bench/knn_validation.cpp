// KNN-KG settings compared on the validation split only (issue 16's rule: settings are chosen on a
// split carved from the train perturbers, never on test). Not one of run.sh's workloads (no bench_
// prefix): a development tool.
//
// Per cell line, exactly the validation model of `perturbscope-cli knn` (kg/evaluation.cpp, run_task):
// the official train items, a seeded 20 % of their perturbers (or targets, when the evaluated split's
// targets are mostly unseen) carved as validation (carve_calibration_split, seed 7), a KnnModel fitted on
// the rest, its scores on the validation items, and their per-gene AUROC (CellLineResult's
// val_auroc_per_gene). The test items' labels are replaced by 0 before anything sees them: only
// their genes decide the carve's kind.
//
//   knn_validation [--threads=N] [--lines=k562,rpe1,hepg2,jurkat] [--unseen-targets=F] [--carve-seed=S (7)]
//                  --variant='NAME={"combiner":"gbdt",...}' [--variant=...]
// A variant's JSON is a KnnConfig (KnnConfig::from_json; absent fields keep the defaults). Prints one
// JSON line per (line, variant) and a summary line per variant (mean over the lines, seconds).
// bench-links: perturbscope_kg
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "common/error.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "data/splits.h"
#include "data/symbols.h"
#include "kg/build.h"
#include "kg/holdout.h"
#include "kg/knn.h"
#include "metrics/auroc.h"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) try {
  auto opt = ps::bench::take_options(&argc, argv);
  std::vector<std::string> lines = {"k562", "rpe1", "hepg2", "jurkat"};
  std::vector<std::pair<std::string, ps::kg::KnnConfig>> variants;
  double unseen = 0;
  uint64_t carve_seed = 7;  // the CLI's --seed (validation carve); 7 = what the README's settings were chosen on
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--lines=", 0) == 0) {
      lines.clear();
      std::string rest = a.substr(8);
      for (size_t p = 0; p <= rest.size();) {
        const size_t q = std::min(rest.find(',', p), rest.size());
        lines.push_back(rest.substr(p, q - p));
        p = q + 1;
      }
    } else if (a.rfind("--variant=", 0) == 0) {
      const std::string v = a.substr(10);
      const size_t eq = v.find('=');
      if (eq == std::string::npos) throw ps::Error("--variant needs NAME=JSON, got " + v);
      variants.emplace_back(v.substr(0, eq), ps::kg::KnnConfig::from_json(v.substr(eq + 1)));
      variants.back().second.fit_threads = opt.threads;
      variants.back().second.require_valid();
    } else if (a.rfind("--carve-seed=", 0) == 0) {
      carve_seed = std::stoull(a.substr(13));
    } else if (a.rfind("--unseen-targets=", 0) == 0) {
      unseen = std::stod(a.substr(17));
    } else {
      throw ps::Error("unknown argument " + a);
    }
  }
  if (variants.empty()) variants.emplace_back("default", ps::kg::KnnConfig{});
  const auto data = ps::require_data();
  const auto graph = ps::kg::load_or_build(ps::kg::GraphInputs::from_data_dir(data.dir), {}, "");
  const auto resolver = ps::data::SymbolResolver::load(data.dir);
  std::map<std::string, std::pair<double, double>> total;  // variant -> (sum of AUROCs, seconds)
  for (const auto& cell : lines) {
    auto items = ps::kg::load_holdout_items(data.dir, cell, "de", false, &resolver, nullptr);
    if (unseen > 0) items = ps::kg::carve_unseen_targets(items, unseen, carve_seed, "train");
    auto train = ps::data::select_split(items, "train");
    auto test = ps::data::select_split(items, "test");
    for (auto& it : test) it.label = 0;  // never looked at: only the genes decide the carve's kind
    auto carved = train;
    for (auto& it : carved) it.split = "train";
    const std::string kind = ps::kg::carve_calibration_split(carved, test, 0.2, carve_seed);
    const auto sub = ps::data::select_split(carved, "train"), val = ps::data::select_split(carved, "val");
    std::vector<int> y, groups;
    std::map<std::string, int> ids;
    for (const auto& it : val) {
      y.push_back(it.label);
      groups.push_back(ids.emplace(it.gene, static_cast<int>(ids.size())).first->second);
    }
    for (const auto& [name, cfg] : variants) {
      const auto t0 = Clock::now();
      ps::kg::KnnModel m(graph, sub, cfg);
      const auto s = m.scores(val, opt.threads);
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      const auto a = ps::metrics::auroc_per_group(s, y, groups);
      nlohmann::json j = {{"line", cell},        {"variant", name},          {"val_auroc_per_gene", a.mean},
                          {"genes", a.groups_used}, {"n_sub", sub.size()},   {"n_val", val.size()},
                          {"carve", kind},       {"seconds", secs}};
      if (const auto* c = m.combiner(); c && c->trees()) j["gbdt_rounds"] = c->trees()->rounds();
      std::printf("%s\n", j.dump().c_str());
      std::fflush(stdout);
      total[name].first += a.mean, total[name].second += secs;
    }
  }
  for (const auto& [name, cfg] : variants) {
    nlohmann::json j = {{"variant", name},
                        {"mean_val_auroc_per_gene", total[name].first / lines.size()},
                        {"seconds", total[name].second},
                        {"config", nlohmann::json::parse(cfg.to_json())}};
    std::printf("%s\n", j.dump().c_str());
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "knn_validation: %s\n", e.what());
  return 1;
}
