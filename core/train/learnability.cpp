#include "train/learnability.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

#include "common/error.h"

namespace ps::train {

void LearnabilityResult::require_nonempty() const {
  if (empty()) throw ps::Error(message);
}

LearnabilityResult learnability_filter(const std::vector<int64_t>& n_correct, int64_t k) {
  if (k < 2)
    throw ps::Error("learnability filter: K (rollouts per prompt) must be >= 2, got " + std::to_string(k) +
                    " (no prompt can have between 1 and K-1 correct rollouts)");
  LearnabilityResult r;
  r.pool_size = static_cast<int64_t>(n_correct.size());
  r.k = k;
  for (size_t j = 0; j < n_correct.size(); ++j) {
    const int64_t c = n_correct[j];
    if (c < 0 || c > k)
      throw ps::Error("learnability filter: prompt " + std::to_string(j) + " has " + std::to_string(c) +
                      " correct rollouts, outside [0, K = " + std::to_string(k) + "]");
    if (c == 0) ++r.n_all_wrong;
    else if (c == k) ++r.n_all_correct;
    else r.kept.push_back(static_cast<int64_t>(j));
  }
  if (r.pool_size == 0) {
    r.frac_zero_variance = std::numeric_limits<double>::quiet_NaN();
    r.message = "the learnability filter got an empty prompt pool";
  } else {
    r.frac_zero_variance = static_cast<double>(r.n_all_correct + r.n_all_wrong) / static_cast<double>(r.pool_size);
    if (r.kept.empty())
      r.message = "the filter kept no prompt of " + std::to_string(r.pool_size) +
                  ": all were solved by every or by no rollout; lower K, raise temperature or disable the filter";
  }
  return r;
}

std::optional<double> parse_positive_rate(const std::string& s) {
  if (s == "natural") return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(v > 0 && v < 1))
    throw ps::Error("positive_rate: must be \"natural\" or a number in (0, 1), got \"" + s + "\"");
  return v;
}

UpsampleResult upsample_positive_indices(const std::vector<int64_t>& indices, const std::vector<int>& labels,
                                         std::optional<double> positive_rate, uint64_t seed) {
  if (indices.size() != labels.size())
    throw ps::Error("upsample: " + std::to_string(indices.size()) + " indices but " + std::to_string(labels.size()) +
                    " labels");
  if (positive_rate && !(*positive_rate > 0 && *positive_rate < 1))
    throw ps::Error("positive_rate: must be in (0, 1), got " + std::to_string(*positive_rate));
  UpsampleResult r;
  r.indices = indices;
  std::vector<size_t> pos;
  for (size_t j = 0; j < labels.size(); ++j) {
    if (labels[j] != 0 && labels[j] != 1)
      throw ps::Error("upsample: label " + std::to_string(j) + " must be 0 or 1, got " + std::to_string(labels[j]));
    if (labels[j] == 1) pos.push_back(j);
  }
  r.n_positive = static_cast<int64_t>(pos.size());
  r.n_negative = static_cast<int64_t>(labels.size()) - r.n_positive;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.rate_before = labels.empty() ? nan : static_cast<double>(r.n_positive) / static_cast<double>(labels.size());
  r.rate_after = r.rate_before;
  if (!positive_rate || labels.empty()) return r;
  if (pos.empty()) {
    r.reached = r.n_negative == 0;
    return r;
  }
  const double rate = *positive_rate;
  // P' / (P' + Q) >= r  <=>  P' >= r Q / (1 - r)   (as ps::data::upsample_positives)
  const auto target =
      static_cast<size_t>(std::ceil(rate * static_cast<double>(r.n_negative) / (1 - rate) - 1e-9));
  if (target > pos.size()) {
    size_t extra = target - pos.size();
    r.n_added = static_cast<int64_t>(extra);
    while (extra >= pos.size()) {  // whole rounds first, so every positive is repeated evenly
      for (size_t j : pos) r.indices.push_back(indices[j]);
      extra -= pos.size();
    }
    std::mt19937_64 rng(seed);
    std::vector<size_t> shuffled = pos;
    for (size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng() % i]);
    for (size_t e = 0; e < extra; ++e) r.indices.push_back(indices[shuffled[e]]);
  }
  r.rate_after = static_cast<double>(r.n_positive + r.n_added) / static_cast<double>(r.indices.size());
  return r;
}

}  // namespace ps::train
