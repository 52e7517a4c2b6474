#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace ps::train {

double lr_multiplier(const std::string& schedule, int64_t s, int64_t W, int64_t S) {
  if (W < 0 || S < 0) throw Error("learning-rate schedule: negative step counts");
  // The name is checked before the warm-up branch: an unknown schedule is an error at every step.
  if (schedule != "constant" && schedule != "constant_with_warmup" && schedule != "linear" && schedule != "cosine")
    throw Error("learning-rate schedule: unknown \"" + schedule + "\" (constant, constant_with_warmup, linear, cosine)");
  const bool warm = schedule != "constant" && s < W;
  if (warm) return static_cast<double>(s) / static_cast<double>(std::max<int64_t>(1, W));
  if (schedule == "constant" || schedule == "constant_with_warmup") return 1.0;
  const double span = static_cast<double>(std::max<int64_t>(1, S - W));
  const double progress = static_cast<double>(s - W) / span;
  if (schedule == "linear") return std::max(0.0, 1.0 - progress);
  if (schedule == "cosine") return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress))));
  throw Error("learning-rate schedule: unknown \"" + schedule + "\" (constant, constant_with_warmup, linear, cosine)");
}

int64_t warmup_steps_for(int64_t warmup_steps, double warmup_ratio, int64_t total_steps) {
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
}

}  // namespace ps::train
