#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <unordered_set>

#include "common/error.h"

namespace ps::data {

std::vector<std::string> carve_validation(std::vector<Item>& items, double fraction, uint64_t seed,
                                          const std::string& from, const std::string& to) {
  if (!(fraction > 0 && fraction < 1)) throw ps::Error("validation fraction must be in (0, 1)");
  std::set<std::string> perts;
  for (const auto& it : items)
    if (it.split == from) perts.insert(it.pert);
  std::vector<std::string> order(perts.begin(), perts.end());  // sorted: the shuffle depends on the seed only
  std::mt19937_64 rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  const size_t n_val = static_cast<size_t>(std::llround(fraction * order.size()));
  std::unordered_set<std::string> chosen(order.begin(), order.begin() + n_val);
  for (auto& it : items)
    if (it.split == from && chosen.count(it.pert)) it.split = to;
  std::vector<std::string> out(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Item> select_split(const std::vector<Item>& items, const std::string& split) {
  std::vector<Item> out;
  for (const auto& it : items)
    if (it.split == split) out.push_back(it);
  return out;
}

std::vector<std::string> shared_perturbers(const std::vector<Item>& items, const std::string& a, const std::string& b) {
  std::set<std::string> in_a, in_b;
  for (const auto& it : items) {
    if (it.split == a) in_a.insert(it.pert);
    if (it.split == b) in_b.insert(it.pert);
  }
  std::vector<std::string> out;
  std::set_intersection(in_a.begin(), in_a.end(), in_b.begin(), in_b.end(), std::back_inserter(out));
  return out;
}

std::vector<Item> cross_cell_holdout(const std::vector<Dataset>& datasets, const std::string& test_cell,
                                     const std::string& test_split) {
  std::vector<Item> out;
  bool found = false;
  for (const auto& ds : datasets) {
    const bool held_out = ds.cell_line == test_cell;
    found = found || held_out;
    for (const auto& it : ds.items) {
      if (held_out && !test_split.empty() && it.split != test_split) continue;
      Item copy = it;
      copy.split = held_out ? "test" : "train";
      out.push_back(std::move(copy));
    }
  }
  if (!found) throw ps::Error("cross-cell hold-out: no dataset for cell line '" + test_cell + "'");
  return out;
}

std::vector<Item> upsample_positives(const std::vector<Item>& items, double positive_rate, uint64_t seed) {
  if (!(positive_rate > 0 && positive_rate < 1)) throw ps::Error("positive rate must be in (0, 1)");
  std::vector<size_t> pos;
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].label == 1) pos.push_back(i);
  const double n_neg = static_cast<double>(items.size() - pos.size());
  std::vector<Item> out = items;
  if (pos.empty()) return out;
  // P' / (P' + N) >= r  <=>  P' >= r N / (1 - r)
  const size_t target = static_cast<size_t>(std::ceil(positive_rate * n_neg / (1 - positive_rate) - 1e-9));
  if (target <= pos.size()) return out;
  size_t extra = target - pos.size();
  std::mt19937_64 rng(seed);
  while (extra >= pos.size()) {  // whole copies first, so every positive is repeated evenly
    for (size_t i : pos) out.push_back(items[i]);
    extra -= pos.size();
  }
  std::vector<size_t> shuffled = pos;
  for (size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng() % i]);
  for (size_t k = 0; k < extra; ++k) out.push_back(items[shuffled[k]]);
  return out;
}

}  // namespace ps::data
