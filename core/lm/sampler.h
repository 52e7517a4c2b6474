// Next-token choice from logits: greedy, or temperature sampling restricted by top-k and top-p.
//   p = softmax(logits / T);  top-k keeps the k largest;  top-p keeps the smallest prefix of the
//   sorted distribution whose mass reaches P (always at least one token).
// The reported log-prob of a token is log softmax(logits / T) over the full vocabulary (T = 1 for
// greedy), before any top-k/top-p truncation: the quantity policy-gradient training uses.
#pragma once
#include <cstdint>
#include <utility>

#include <ATen/ATen.h>

namespace ps::lm {

struct SamplingConfig {
  double temperature = 0.0;  // <= 0: greedy (argmax)
  double top_p = 1.0;        // in (0, 1]
  int64_t top_k = 0;         // 0: off
};

class Sampler {
 public:
  Sampler(const SamplingConfig& config, uint64_t seed);
  // logits [B, V] -> (tokens [B] int64, logprobs [B] float32), both on the CPU
  std::pair<at::Tensor, at::Tensor> sample(const at::Tensor& logits);

 private:
  SamplingConfig config_;
  at::Generator gen_;
};

}  // namespace ps::lm
