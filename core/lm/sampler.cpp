#include "lm/sampler.h"

#include <cmath>
#include <limits>

#include <ATen/CPUGeneratorImpl.h>

#include "common/error.h"

namespace ps::lm {

Sampler::Sampler(const SamplingConfig& config, uint64_t seed) : config_(config), gen_(at::detail::createCPUGenerator(seed)) {
  if (!(config.top_p > 0 && config.top_p <= 1)) throw Error("sampling: top_p must be in (0, 1], got " + std::to_string(config.top_p));
  if (config.top_k < 0) throw Error("sampling: top_k must be >= 0");
  if (!std::isfinite(config.temperature) || config.temperature < 0)
    throw Error("sampling: temperature must be a finite number >= 0, got " + std::to_string(config.temperature));
}

std::pair<at::Tensor, at::Tensor> Sampler::sample(const at::Tensor& logits_in) {
  at::Tensor logits = logits_in.to(at::kCPU, at::kFloat);  // [B, V]
  const bool greedy = config_.temperature <= 0;
  if (!greedy) logits = logits / config_.temperature;
  at::Tensor logprobs = at::log_softmax(logits, -1);  // [B, V]
  at::Tensor tokens;
  if (greedy) {
    tokens = logits.argmax(-1);
  } else {
    const float neg_inf = -std::numeric_limits<float>::infinity();
    const int64_t V = logits.size(-1);
    if (config_.top_k > 0 && config_.top_k < V) {
      at::Tensor kth = std::get<0>(logits.topk(config_.top_k, -1)).narrow(-1, config_.top_k - 1, 1);  // [B, 1]
      logits = logits.masked_fill(logits < kth, neg_inf);
    }
    if (config_.top_p < 1.0) {
      auto [sorted, order] = logits.sort(-1, /*descending=*/true);
      at::Tensor p = at::softmax(sorted, -1);
      // Drop a token when the mass before it already reaches top_p; the first one always stays.
      at::Tensor drop_sorted = (p.cumsum(-1) - p) >= config_.top_p;
      at::Tensor drop = at::zeros_like(drop_sorted).scatter(-1, order, drop_sorted);
      logits = logits.masked_fill(drop, neg_inf);
    }
    tokens = at::multinomial(at::softmax(logits, -1), 1, /*replacement=*/false, gen_).squeeze(-1);
  }
  at::Tensor chosen = logprobs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
  return {tokens, chosen};
}

}  // namespace ps::lm
