#include "metrics/run_comparison.h"

#include <map>
#include <set>

#include "common/error.h"

namespace ps::metrics {

namespace {
std::string run_name(const ComparisonInput& r) { return "run " + std::to_string(r.id); }
}  // namespace

void ComparisonOptions::validate() const {
  if (!(threshold >= 0 && threshold <= 1)) throw Error("compare: threshold must be in [0, 1]");
  if (ece_bins < 1) throw Error("compare: ece_bins must be >= 1");
  if (resamples < 0) throw Error("compare: resamples must be >= 0");
  if (!(level > 0 && level < 1)) throw Error("compare: level must be in (0, 1)");
  if (threads < 1) throw Error("compare: threads must be >= 1");
}

void validate_input(const ComparisonInput& r) {
  const std::string id = std::to_string(r.id);
  if (r.items.empty()) throw Error("run " + id + " (" + r.kind + ") has no predictions");
  for (const auto& it : r.items) {
    if (it.label != 0 && it.label != 1)
      throw Error("run " + id + ": item " + it.key + " has no label (" + std::to_string(it.label) + ")");
    if (!(std::isfinite(it.p) && it.p >= 0 && it.p <= 1))
      throw Error("run " + id + ": item " + it.key + " has P(DE) " + std::to_string(it.p) + " outside [0, 1]");
  }
}

RunComparison compare_runs(const std::vector<ComparisonInput>& in, const ComparisonOptions& opt) {
  opt.validate();
  if (in.size() < 2) throw Error("compare: give at least two runs (got " + std::to_string(in.size()) + ")");
  if (opt.baseline >= in.size())
    throw Error("compare: baseline " + std::to_string(opt.baseline) + " is not one of the " + std::to_string(in.size()) +
                " runs");
  for (const auto& r : in) validate_input(r);

  const size_t R = in.size();
  RunComparison out;
  out.baseline = opt.baseline;

  // Whether the item sets differ at all (before any intersection).
  const std::set<std::string> first_keys = [&] {
    std::set<std::string> s;
    for (const auto& it : in[0].items) s.insert(it.key);
    return s;
  }();
  for (size_t r = 1; r < R && out.identical_items; ++r) {
    std::set<std::string> s;
    for (const auto& it : in[r].items) s.insert(it.key);
    out.identical_items = s == first_keys;
  }

  // The items each run is scored on: all of them, or those every run holds.
  std::vector<std::vector<const ComparedItem*>> kept(R);
  std::vector<int64_t> dropped(R, 0);
  std::map<std::string, size_t> holders;
  if (opt.item_sets == ItemSets::Intersect)
    for (const auto& r : in) {
      std::set<std::string> keys;
      for (const auto& it : r.items) keys.insert(it.key);
      for (const auto& k : keys) ++holders[k];
    }
  for (size_t r = 0; r < R; ++r) {
    for (const auto& it : in[r].items)
      if (opt.item_sets == ItemSets::Identical || holders[it.key] == R) kept[r].push_back(&it);
    dropped[r] = static_cast<int64_t>(in[r].items.size() - kept[r].size());
  }
  if (kept[0].empty()) throw Error("the runs share no item");

  // Items in the first run's order; the others aligned to it (ps::Error when the sets differ).
  std::map<std::string, int> gid;
  std::vector<int> groups;
  std::vector<std::string> first_order;
  for (const auto* it : kept[0]) {
    out.labels.push_back(it->label);
    groups.push_back(gid.emplace(it->group, static_cast<int>(gid.size())).first->second);
    first_order.push_back(it->key);
  }
  out.n = static_cast<int64_t>(out.labels.size());
  out.probs.assign(R, {});
  std::vector<int64_t> parsed(R, 0);
  for (size_t r = 0; r < R; ++r) {
    std::vector<std::string> keys;
    for (const auto* it : kept[r]) keys.push_back(it->key);
    const auto at = align_items(first_order, keys, run_name(in[0]), run_name(in[r]));
    for (size_t i = 0; i < at.size(); ++i) {
      const ComparedItem& it = *kept[r][at[i]];
      if (it.label != out.labels[i])
        throw Error("runs " + std::to_string(in[0].id) + " and " + std::to_string(in[r].id) +
                    " disagree on the label of " + it.key);
      out.probs[r].push_back(it.p);
      parsed[r] += it.parsed;
    }
  }

  SummaryOptions so;
  so.threshold = opt.threshold;
  so.ece_bins = opt.ece_bins;
  so.bootstrap_resamples = opt.resamples;
  so.seed = opt.seed;
  so.ci_level = opt.level;
  so.threads = opt.threads;
  PairedOptions po;
  po.threshold = opt.threshold;
  po.ece_bins = opt.ece_bins;
  po.resamples = opt.resamples;
  po.seed = opt.seed;
  po.level = opt.level;
  po.threads = opt.threads;
  for (size_t r = 0; r < R; ++r) {
    ComparedRun c;
    c.id = in[r].id;
    c.kind = in[r].kind;
    c.name = in[r].name;
    c.items_total = static_cast<int64_t>(in[r].items.size());
    c.items_dropped = dropped[r];
    if (in[r].parses_answers && out.n > 0) c.parse_rate = static_cast<double>(parsed[r]) / static_cast<double>(out.n);
    c.summary = summarize_binary(out.probs[r], out.labels, groups, so);
    out.runs.push_back(std::move(c));
  }
  for (size_t r = 0; r < R; ++r) {
    if (r == opt.baseline) continue;
    ComparedDifference d;
    d.run = r;
    d.against = opt.baseline;
    d.diffs = paired_differences(out.probs[opt.baseline], out.probs[r], out.labels, groups, po);
    out.differences.push_back(std::move(d));
  }
  return out;
}

}  // namespace ps::metrics
