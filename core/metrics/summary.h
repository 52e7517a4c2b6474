// Every headline metric of a binary DE evaluation in one call, with bootstrap CIs.
// This is what the KNN evaluation, the LLM evaluation, the CLI and the GUI report.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/auroc.h"
#include "metrics/bootstrap.h"
#include "metrics/calibration.h"
#include "metrics/classification.h"

namespace ps::metrics {

struct SummaryOptions {
  double threshold = 0.5;   // for precision / recall / F1 at a fixed threshold
  int ece_bins = 10;
  int bootstrap_resamples = 1000;  // 0: no CIs
  uint64_t seed = 0;
  double ci_level = 0.95;
  int threads = 2;
};

struct BinarySummary {
  int64_t n = 0, n_positive = 0;
  double auroc_per_gene = 0;        // mean over target genes with both classes
  int64_t genes_used = 0, genes_skipped = 0;
  double auroc_pooled = 0;          // NaN when single class
  ThresholdMetrics at_threshold;    // at options.threshold
  ThresholdMetrics f1_optimal;      // at the F1-optimal threshold (chosen on these items: optimistic)
  double brier = 0, ece = 0;
  std::vector<ReliabilityBin> reliability;
  // 95 % percentile-bootstrap intervals. Items are resampled with replacement, except for
  // the per-gene AUROC, a mean over genes, whose interval resamples the genes: resampling
  // items would drop genes whose only positive was not drawn, which favours genes with
  // many items and shifts the mean.
  Interval auroc_per_gene_ci, auroc_pooled_ci, f1_ci, brier_ci, ece_ci;
  int bootstrap_resamples = 0;
};

// probs: P(DE) in [0,1]; labels 0/1; groups: target-gene ids for per-gene AUROC.
BinarySummary summarize_binary(const std::vector<double>& probs, const std::vector<int>& labels,
                               const std::vector<int>& groups, const SummaryOptions& opt = {});

// {"n":..,"auroc_per_gene":..,"auroc_per_gene_ci":[lo,hi],...,"reliability":[{...}]}; NaN -> null.
std::string to_json(const BinarySummary& s);

}  // namespace ps::metrics
