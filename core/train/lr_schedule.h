// Learning-rate schedules (Hugging Face transformers' get_scheduler semantics), as a multiplier
// of the peak LR at optimiser step s (0-based, the step about to be taken), W warm-up steps,
// S total steps:
//   constant:              1
//   constant_with_warmup:  s < W ? s / W : 1
//   linear:                s < W ? s / W : max(0, (S - s) / (S - W))
//   cosine:                s < W ? s / W : 0.5 · (1 + cos(π · (s - W) / (S - W)))    (to 0 at S)
// Note HF's warm-up factor is s / max(1, W): the very first step has LR 0 when W > 0.
#pragma once
#include <cstdint>
#include <string>

namespace ps::train {

// Throws ps::Error for an unknown name or negative counts. W > S is allowed (the warm-up then
// never ends, as in HF).
double lr_multiplier(const std::string& schedule, int64_t step, int64_t warmup_steps, int64_t total_steps);

// W from an explicit step count, else from a ratio of S (rounded up, as HF's get_warmup_steps).
int64_t warmup_steps_for(int64_t warmup_steps, double warmup_ratio, int64_t total_steps);

}  // namespace ps::train
