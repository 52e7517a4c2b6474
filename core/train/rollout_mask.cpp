#include "train/rollout_mask.h"

#include <algorithm>

#include "common/error.h"

namespace ps::train {

CompletionBatch build_completion_batch(const std::vector<std::vector<int64_t>>& completions,
                                       const std::vector<int64_t>& stop_ids, int64_t pad_id,
                                       bool mask_truncated_completions) {
  if (completions.empty()) throw ps::Error("completion batch: no completions (B = 0)");
  if (stop_ids.empty()) throw ps::Error("completion batch: stop_ids is empty (every completion would be truncated)");
  const auto B = static_cast<int64_t>(completions.size());
  int64_t T = 0;
  for (const auto& c : completions) T = std::max<int64_t>(T, static_cast<int64_t>(c.size()));

  CompletionBatch out;
  out.ids = at::full({B, T}, pad_id, at::kLong);
  out.mask = at::zeros({B, T}, at::kFloat);
  out.lengths.resize(B);
  out.truncated.resize(B);
  auto ids = out.ids.accessor<int64_t, 2>();
  auto mask = out.mask.accessor<float, 2>();
  int64_t n_trunc = 0;
  for (int64_t i = 0; i < B; ++i) {
    const auto& c = completions[i];
    const auto len = static_cast<int64_t>(c.size());
    int64_t stop = -1;
    for (int64_t t = 0; t < len; ++t) {
      ids[i][t] = c[t];
      if (stop < 0 && std::find(stop_ids.begin(), stop_ids.end(), c[t]) != stop_ids.end()) stop = t;
    }
    const bool trunc = stop < 0;
    const int64_t n = trunc ? len : stop + 1;
    out.lengths[i] = n;
    out.truncated[i] = trunc;
    n_trunc += trunc ? 1 : 0;
    if (trunc && mask_truncated_completions) continue;
    for (int64_t t = 0; t < n; ++t) mask[i][t] = 1.0f;
  }
  out.clipped_ratio = static_cast<double>(n_trunc) / static_cast<double>(B);
  return out;
}

}  // namespace ps::train
