// Percentile bootstrap confidence intervals over items.
// A resample draws n items with replacement; it is passed to the statistic as per-item
// multiplicities (weights), which lets every metric here reuse one sort per resample.
// Resample r uses its own generator seeded from (seed, r), so the result does not depend
// on the number of threads.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace ps::metrics {

struct Interval {
  double lo = 0, hi = 0;
};

// Multiplicities of a resample of n items with replacement (sum = n).
std::vector<double> resample_weights(size_t n, uint64_t seed, int resample_index);
void resample_weights(size_t n, uint64_t seed, int resample_index, std::vector<double>& out);  // reuses out

// Statistics of one resample: fills out[k] for each of the K statistics (NaN = undefined,
// e.g. a single-class resample; those resamples are left out of that statistic's interval).
using MultiStat = std::function<void(const std::vector<double>& weights, std::vector<double>& out)>;

// 95 % (level) percentile intervals of K statistics from `resamples` resamples, on up to
// `threads` threads. The interval of a statistic with no defined value is NaN..NaN.
std::vector<Interval> bootstrap_cis(size_t n_items, int n_stats, const MultiStat& stat, int resamples = 1000,
                                    uint64_t seed = 0, double level = 0.95, int threads = 2);

// Percentile of sorted values with linear interpolation (numpy's default), q in [0,1].
double percentile(const std::vector<double>& sorted, double q);

}  // namespace ps::metrics
