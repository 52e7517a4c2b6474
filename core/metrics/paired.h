// Paired comparison of two predictors on the same items: every metric's difference B − A with a
// paired percentile-bootstrap interval (Efron & Tibshirani 1993, ch. 13; as in Koehn 2004's paired
// bootstrap): each resample draws the items once (metrics/bootstrap.h's multiplicities) and
// scores both predictors on that same draw, so the item-to-item variation they share cancels.
//
//   F1 (at P(DE) >= threshold), Brier, ECE (equal-width bins): items resampled;
//   per-gene AUROC: genes resampled (as metrics/summary.h): d_g = AUROC_B(g) − AUROC_A(g) over the
//   genes with both classes, the difference is mean_g d_g and each resample reweights the genes.
//
// Inputs: probs_a, probs_b: P(DE) in [0, 1] per item [n]; labels 0/1 [n]; groups: gene ids [n].
// Errors (ps::Error): lengths differ. An undefined difference (no item, no gene with both classes)
// is NaN with a NaN interval.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/bootstrap.h"

namespace ps::metrics {

struct PairedOptions {
  double threshold = 0.5;   // F1's decision threshold on P(DE)
  int ece_bins = 10;
  int resamples = 1000;     // 0: no intervals (NaN)
  uint64_t seed = 0;
  double level = 0.95;
  int threads = 2;
  void validate() const;    // ps::Error naming the field
};

struct PairedDiff {
  std::string metric;       // "f1" | "brier" | "ece" | "auroc_per_gene"
  double a = 0, b = 0;      // the metric of each predictor on all items
  double diff = 0;          // b − a
  Interval ci;              // paired percentile-bootstrap interval of b − a
};

// Paired scoring needs identical item sets. For item keys of run A and run B (each without
// duplicates), the positions in b of a's keys, in a's order; ps::Error naming both runs, how many
// keys only one of them holds and the first few of each, or a duplicated key.
std::vector<size_t> align_items(const std::vector<std::string>& keys_a, const std::vector<std::string>& keys_b,
                                const std::string& name_a, const std::string& name_b);

// The four differences, in the order above.
std::vector<PairedDiff> paired_differences(const std::vector<double>& probs_a, const std::vector<double>& probs_b,
                                           const std::vector<int>& labels, const std::vector<int>& groups,
                                           const PairedOptions& opt = {});

}  // namespace ps::metrics
