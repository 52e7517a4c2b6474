// The KNN-KG evaluation's item sets beside PerturbQA's official perturber hold-out:
//   cross-cell-line  train on every item of the other three lines, test the held-out line's
//                    official test items (same items as its single-line numbers);
//   unseen targets   the official train items only; a seeded fraction of their *targets* (with
//                    all their items) becomes the test set (seen perturbers, unseen targets);
// and the validation carve for the calibrator: by perturber (data::carve_validation), or by
// target when most test pairs have a target without train items, so the calibrator sees the
// same regime as the test (KnnModel scores unseen targets with its own combiner).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/perturbqa.h"

namespace ps::kg {

// Items of `cell` for a KNN-KG evaluation: the official file, or the cross-cell-line set when
// holdout is true. unresolved: the symbols the resolver could not map (all lines loaded).
std::vector<data::Item> load_holdout_items(const std::string& data_dir, const std::string& cell, const std::string& task,
                                           bool cross_cell_line, const data::SymbolResolver* resolver,
                                           std::vector<std::string>* unresolved);

// Every item (all splits) of the three lines other than `cell`, for cross-cell-line evidence.
std::vector<data::Item> other_line_items(const std::string& data_dir, const std::string& cell, const std::string& task,
                                         const data::SymbolResolver* resolver);

// The `train_split` items, with a seeded `fraction` (0 < f < 1) of their distinct targets moved
// to split "test" (and every other split dropped). Throws ps::Error when fewer than 2 targets.
std::vector<data::Item> carve_unseen_targets(const std::vector<data::Item>& items, double fraction, uint64_t seed,
                                             const std::string& train_split = "train");

// Moves a seeded `fraction` of the distinct targets of split `from` (all their items) to `to`.
std::vector<std::string> carve_validation_by_target(std::vector<data::Item>& items, double fraction, uint64_t seed,
                                                    const std::string& from = "train", const std::string& to = "val");

// True when more than half of the test items' targets have no item in train.
bool mostly_unseen_targets(const std::vector<data::Item>& train, const std::vector<data::Item>& test);

// The calibrator's validation carve on `carved` (all in split "train"): by target when
// mostly_unseen_targets(carved, test), else by perturber. Returns "target" or "perturber".
std::string carve_calibration_split(std::vector<data::Item>& carved, const std::vector<data::Item>& test,
                                    double fraction, uint64_t seed);

}  // namespace ps::kg
