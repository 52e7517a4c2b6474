#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/parallel.h"

namespace ps::metrics {

namespace {
// splitmix64: decorrelates the per-resample seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::vector<double> resample_weights(size_t n, uint64_t seed, int resample_index) {
  std::vector<double> w;
  resample_weights(n, seed, resample_index, w);
  return w;
}

void resample_weights(size_t n, uint64_t seed, int resample_index, std::vector<double>& w) {
  w.assign(n, 0.0);
  if (n == 0) return;
  // A splitmix64 stream per resample: fast, and good enough to draw indices.
  uint64_t state = mix(seed ^ mix(static_cast<uint64_t>(resample_index) + 1));
  for (size_t i = 0; i < n; ++i) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t r = state;
    r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
    r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
    r ^= r >> 31;
    // Multiply-shift maps 64 random bits to [0, n) without a modulo.
    const size_t j = static_cast<size_t>((static_cast<unsigned __int128>(r) * n) >> 64);
    w[j] += 1.0;
  }
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double pos = q * (sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

std::vector<Interval> bootstrap_cis(size_t n_items, int n_stats, const MultiStat& stat, int resamples,
                                    uint64_t seed, double level, int threads) {
  if (resamples < 1) throw ps::Error("bootstrap: the number of resamples must be positive");
  std::vector<std::vector<double>> values(n_stats, std::vector<double>(resamples, std::nan("")));
  threads = std::min(ps::clamp_threads(threads), resamples);
  // Per-worker scratch; resample r always uses the weights of (seed, r), whichever thread runs it.
  std::vector<std::vector<double>> outs(threads, std::vector<double>(n_stats)), ws(threads);
  ps::parallel_for(static_cast<size_t>(resamples), threads, [&](size_t ri, int worker) {
    const int r = static_cast<int>(ri);
    std::vector<double>& out = outs[worker];
    resample_weights(n_items, seed, r, ws[worker]);
    std::fill(out.begin(), out.end(), std::nan(""));
    stat(ws[worker], out);
    for (int k = 0; k < n_stats; ++k) values[k][r] = out[k];
  });
  std::vector<Interval> cis(n_stats);
  const double alpha = (1.0 - level) / 2;
  for (int k = 0; k < n_stats; ++k) {
    std::vector<double> v;
    v.reserve(resamples);
    for (double x : values[k])
      if (!std::isnan(x)) v.push_back(x);
    std::sort(v.begin(), v.end());
    cis[k] = {percentile(v, alpha), percentile(v, 1 - alpha)};
  }
  return cis;
}

}  // namespace ps::metrics
