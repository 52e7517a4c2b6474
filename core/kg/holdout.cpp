#include "kg/holdout.h"

#include <algorithm>
#include <random>
#include <set>
#include <unordered_set>

#include "common/error.h"
#include "data/splits.h"

namespace ps::kg {

namespace {

// A seeded choice of round(fraction * n) of the sorted distinct keys (at least 1, at most n - 1).
std::unordered_set<std::string> choose(std::set<std::string> keys, double fraction, uint64_t seed, const char* what) {
  if (!(fraction > 0 && fraction < 1)) throw ps::Error(std::string("hold-out fraction of ") + what + " must be in (0, 1)");
  if (keys.size() < 2) throw ps::Error(std::string("hold-out by ") + what + ": fewer than 2 distinct " + what);
  std::vector<std::string> v(keys.begin(), keys.end());
  std::mt19937_64 rng(seed);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);  // Fisher-Yates
  const size_t n = std::clamp<size_t>(static_cast<size_t>(fraction * v.size() + 0.5), 1, v.size() - 1);
  return {v.begin(), v.begin() + n};
}

}  // namespace

std::vector<data::Item> load_holdout_items(const std::string& dir, const std::string& cell, const std::string& task,
                                           bool cross_cell_line, const data::SymbolResolver* resolver,
                                           std::vector<std::string>* unresolved) {
  if (!cross_cell_line) {
    auto ds = data::load_perturbqa(dir, cell, task, resolver);
    if (unresolved) *unresolved = ds.unresolved;
    return ds.items;
  }
  std::vector<data::Dataset> all;
  std::set<std::string> missing;
  for (const auto& c : data::cell_lines()) {
    all.push_back(data::load_perturbqa(dir, c, task, resolver));
    missing.insert(all.back().unresolved.begin(), all.back().unresolved.end());
  }
  if (unresolved) unresolved->assign(missing.begin(), missing.end());
  return data::cross_cell_holdout(all, cell, "test");
}

std::vector<data::Item> other_line_items(const std::string& dir, const std::string& cell, const std::string& task,
                                         const data::SymbolResolver* resolver) {
  std::vector<data::Item> out;
  bool found = false;
  for (const auto& c : data::cell_lines()) {
    if (c == cell) {
      found = true;
      continue;
    }
    auto ds = data::load_perturbqa(dir, c, task, resolver);
    for (auto& it : ds.items) {
      if (it.cell_line == cell) continue;  // never the evaluated line's labels
      out.push_back(std::move(it));
    }
  }
  if (!found) throw ps::Error("cross-cell-line evidence: unknown cell line '" + cell + "'");
  return out;
}

std::vector<data::Item> carve_unseen_targets(const std::vector<data::Item>& items, double fraction, uint64_t seed,
                                             const std::string& train_split) {
  std::set<std::string> targets;
  for (const auto& it : items)
    if (it.split == train_split) targets.insert(it.gene);
  const auto held = choose(std::move(targets), fraction, seed, "targets");
  std::vector<data::Item> out;
  for (const auto& it : items) {
    if (it.split != train_split) continue;
    data::Item c = it;
    c.split = held.count(it.gene) ? "test" : "train";
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> carve_validation_by_target(std::vector<data::Item>& items, double fraction, uint64_t seed,
                                                    const std::string& from, const std::string& to) {
  std::set<std::string> targets;
  for (const auto& it : items)
    if (it.split == from) targets.insert(it.gene);
  const auto held = choose(std::move(targets), fraction, seed, "targets");
  for (auto& it : items)
    if (it.split == from && held.count(it.gene)) it.split = to;
  std::vector<std::string> out(held.begin(), held.end());
  std::sort(out.begin(), out.end());
  return out;
}

bool mostly_unseen_targets(const std::vector<data::Item>& train, const std::vector<data::Item>& test) {
  std::unordered_set<std::string> seen;
  for (const auto& it : train) seen.insert(it.gene);
  size_t unseen = 0;
  for (const auto& it : test) unseen += !seen.count(it.gene);
  return !test.empty() && 2 * unseen > test.size();
}

std::string carve_calibration_split(std::vector<data::Item>& carved, const std::vector<data::Item>& test,
                                    double fraction, uint64_t seed) {
  if (mostly_unseen_targets(carved, test)) {
    carve_validation_by_target(carved, fraction, seed, "train", "val");
    return "target";
  }
  data::carve_validation(carved, fraction, seed, "train", "val");
  return "perturber";
}

}  // namespace ps::kg
