#include "metrics/paired.h"

#include <cmath>
#include <map>

#include "common/error.h"
#include "metrics/auroc.h"
#include "metrics/calibration.h"
#include "metrics/classification.h"

namespace ps::metrics {

void PairedOptions::validate() const {
  if (!(threshold >= 0 && threshold <= 1)) throw Error("paired: threshold must be in [0, 1]");
  if (ece_bins < 1) throw Error("paired: ece_bins must be >= 1");
  if (resamples < 0) throw Error("paired: resamples must be >= 0");
  if (!(level > 0 && level < 1)) throw Error("paired: level must be in (0, 1)");
  if (threads < 1) throw Error("paired: threads must be >= 1");
}

std::vector<size_t> align_items(const std::vector<std::string>& ka, const std::vector<std::string>& kb,
                                const std::string& name_a, const std::string& name_b) {
  std::map<std::string, size_t> pos_b;
  for (size_t i = 0; i < kb.size(); ++i)
    if (!pos_b.emplace(kb[i], i).second) throw Error(name_b + ": item " + kb[i] + " occurs more than once");
  std::map<std::string, size_t> pos_a;
  for (size_t i = 0; i < ka.size(); ++i)
    if (!pos_a.emplace(ka[i], i).second) throw Error(name_a + ": item " + ka[i] + " occurs more than once");
  std::vector<std::string> only_a, only_b;
  for (const auto& [k, i] : pos_a)
    if (!pos_b.count(k)) only_a.push_back(k);
  for (const auto& [k, i] : pos_b)
    if (!pos_a.count(k)) only_b.push_back(k);
  if (!only_a.empty() || !only_b.empty()) {
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < v.size() && i < 3; ++i) s += (i ? ", " : "") + v[i];
      if (v.size() > 3) s += ", ...";
      return s;
    };
    std::string msg = name_a + " (" + std::to_string(ka.size()) + " items) and " + name_b + " (" +
                      std::to_string(kb.size()) + " items) were not scored on the same items: ";
    msg += std::to_string(only_a.size()) + " only in " + name_a + (only_a.empty() ? "" : " (" + list(only_a) + ")");
    msg += ", " + std::to_string(only_b.size()) + " only in " + name_b + (only_b.empty() ? "" : " (" + list(only_b) + ")");
    throw Error(msg);
  }
  std::vector<size_t> out;
  out.reserve(ka.size());
  for (const auto& k : ka) out.push_back(pos_b.at(k));
  return out;
}

std::vector<PairedDiff> paired_differences(const std::vector<double>& pa, const std::vector<double>& pb,
                                           const std::vector<int>& labels, const std::vector<int>& groups,
                                           const PairedOptions& opt) {
  opt.validate();
  const size_t n = labels.size();
  if (pa.size() != n || pb.size() != n || groups.size() != n)
    throw Error("paired: " + std::to_string(pa.size()) + " and " + std::to_string(pb.size()) + " probabilities, " +
                std::to_string(n) + " labels, " + std::to_string(groups.size()) + " groups: lengths differ");
  const double nan = std::nan("");
  std::vector<PairedDiff> out(4);
  out[0].metric = "f1";
  out[1].metric = "brier";
  out[2].metric = "ece";
  out[3].metric = "auroc_per_gene";
  for (auto& d : out) d.a = d.b = d.diff = d.ci.lo = d.ci.hi = nan;
  if (n == 0) return out;

  auto item_stats = [&](const std::vector<double>* w, double* v) {
    v[0] = at_threshold(pa, labels, opt.threshold, w).f1;
    v[1] = at_threshold(pb, labels, opt.threshold, w).f1;
    v[2] = brier(pa, labels, w);
    v[3] = brier(pb, labels, w);
    v[4] = ece(pa, labels, opt.ece_bins, w);
    v[5] = ece(pb, labels, opt.ece_bins, w);
  };
  double v[6];
  item_stats(nullptr, v);
  for (int m = 0; m < 3; ++m) {
    out[m].a = v[2 * m];
    out[m].b = v[2 * m + 1];
    out[m].diff = out[m].b - out[m].a;
  }
  if (opt.resamples > 0) {
    auto cis = bootstrap_cis(
        n, 3,
        [&](const std::vector<double>& w, std::vector<double>& o) {
          double x[6];
          item_stats(&w, x);
          for (int m = 0; m < 3; ++m) o[m] = x[2 * m + 1] - x[2 * m];
        },
        opt.resamples, opt.seed, opt.level, opt.threads);
    for (int m = 0; m < 3; ++m) out[m].ci = cis[m];
  }

  // Per-gene AUROC: the same genes are used by both (they depend on the labels only).
  const GroupAuroc ga = auroc_per_group(pa, labels, groups), gb = auroc_per_group(pb, labels, groups);
  out[3].a = ga.mean;
  out[3].b = gb.mean;
  if (!ga.values.empty() && ga.values.size() == gb.values.size()) {
    std::vector<double> d(ga.values.size());
    double s = 0;
    for (size_t g = 0; g < d.size(); ++g) s += (d[g] = gb.values[g] - ga.values[g]);
    out[3].diff = s / d.size();
    if (opt.resamples > 0) {
      out[3].ci = bootstrap_cis(
          d.size(), 1,
          [&](const std::vector<double>& w, std::vector<double>& o) {
            double num = 0, den = 0;
            for (size_t g = 0; g < d.size(); ++g) {
              num += w[g] * d[g];
              den += w[g];
            }
            o[0] = den > 0 ? num / den : nan;
          },
          opt.resamples, opt.seed + 1, opt.level, opt.threads)[0];
    }
  }
  return out;
}

}  // namespace ps::metrics
