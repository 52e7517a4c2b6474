#include "train/sft_data.h"

#include <algorithm>

#include "common/error.h"

namespace ps::train {

SftBatch make_sft_batch(const std::vector<const SftExample*>& ex, int64_t pad_id) {
  if (ex.empty()) throw Error("SFT: empty batch");
  int64_t L = 0;
  for (const auto* e : ex) L = std::max<int64_t>(L, static_cast<int64_t>(e->ids.size()));
  if (L < 2) throw Error("SFT: examples need at least two tokens");
  const int64_t B = static_cast<int64_t>(ex.size());
  SftBatch b;
  b.ids = at::full({B, L}, pad_id, at::kLong);
  b.attention = at::zeros({B, L}, at::kLong);
  b.positions = at::zeros({B, L}, at::kLong);
  b.loss_mask = at::zeros({B, L - 1}, at::kFloat);
  auto ids = b.ids.accessor<int64_t, 2>();
  auto att = b.attention.accessor<int64_t, 2>();
  auto pos = b.positions.accessor<int64_t, 2>();
  auto lm = b.loss_mask.accessor<float, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const auto& e = *ex[r];
    const int64_t n = static_cast<int64_t>(e.ids.size());
    for (int64_t t = 0; t < n; ++t) {
      ids[r][t] = e.ids[t];
      att[r][t] = 1;
      pos[r][t] = t;
    }
    // Target ids[t + 1] is an assistant token when t + 1 >= prompt_len.
    for (int64_t t = std::max<int64_t>(0, e.prompt_len - 1); t < n - 1; ++t) lm[r][t] = 1.0f;
    b.tokens += n;
    b.loss_tokens += n - std::max<int64_t>(1, e.prompt_len);
  }
  return b;
}

}  // namespace ps::train
