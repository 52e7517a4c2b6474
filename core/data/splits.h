// Splits of PerturbQA items. Every split here holds out *perturbers*: a perturber's
// items all land in one split, so a model never sees the test perturbation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/perturbqa.h"

namespace ps::data {

// Moves a seeded random `fraction` of the perturbers of split `from` (with all their
// items) into split `to`. Returns the perturbers moved, sorted.
std::vector<std::string> carve_validation(std::vector<Item>& items, double fraction, uint64_t seed,
                                          const std::string& from = "train", const std::string& to = "val");

// The items of one split (copies).
std::vector<Item> select_split(const std::vector<Item>& items, const std::string& split);

// Perturbers that appear in both splits (empty for a valid perturber hold-out).
std::vector<std::string> shared_perturbers(const std::vector<Item>& items, const std::string& a, const std::string& b);

// Cross-cell-type hold-out: every item of the other cell lines becomes "train", and the
// held-out cell line's items of `test_split` (all of them when empty) become "test".
std::vector<Item> cross_cell_holdout(const std::vector<Dataset>& datasets, const std::string& test_cell,
                                     const std::string& test_split = "test");

// Duplicates randomly chosen positive items until positives make up at least
// `positive_rate` of the result (0 < rate < 1); never drops an item. Seeded.
std::vector<Item> upsample_positives(const std::vector<Item>& items, double positive_rate, uint64_t seed);

}  // namespace ps::data
