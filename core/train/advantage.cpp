#include "train/advantage.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace ps::train {

ScaleRewards parse_scale_rewards(const std::string& s) {
  if (s == "none" || s == "false") return ScaleRewards::None;
  if (s == "group" || s == "true") return ScaleRewards::Group;
  if (s == "batch") return ScaleRewards::Batch;
  throw ps::Error("scale_rewards: must be \"none\", \"group\", \"batch\", true or false, got \"" + s + "\"");
}

ScaleRewards scale_rewards_from_bool(bool scale) { return scale ? ScaleRewards::Group : ScaleRewards::None; }

const char* to_string(ScaleRewards s) {
  switch (s) {
    case ScaleRewards::None: return "none";
    case ScaleRewards::Group: return "group";
    case ScaleRewards::Batch: return "batch";
  }
  return "?";
}

void AdvantageConfig::validate() const {
  if (num_generations < 2)
    throw ps::Error("num_generations: must be >= 2, got " + std::to_string(num_generations) +
                    " (the group std is the unbiased one, undefined for a single completion, and r - mean is "
                    "always 0: scale_rewards " + std::string(to_string(scale)) + " cannot work)");
  if (!std::isfinite(std_eps) || !(std_eps > 0))
    throw ps::Error("std_eps: must be a finite number > 0, got " + std::to_string(std_eps));
}

AdvantageResult compute_advantages(const at::Tensor& rewards, const AdvantageConfig& config) {
  config.validate();
  if (!rewards.defined() || rewards.dim() != 1)
    throw ps::Error("advantages: rewards must be a 1-D tensor [B]");
  if (!at::isFloatingType(rewards.scalar_type()))
    throw ps::Error("advantages: rewards must be a floating-point tensor");
  const int64_t B = rewards.size(0), G = config.num_generations;
  if (B == 0 || B % G != 0)
    throw ps::Error("advantages: the batch of " + std::to_string(B) + " rewards is not a positive multiple of "
                    "num_generations " + std::to_string(G));
  const int64_t N = B / G;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  at::Tensor r = rewards.detach().to(at::kDouble).view({N, G});
  at::Tensor finite = at::isfinite(r).all(1);                      // [N]
  at::Tensor fmask = finite.unsqueeze(1).expand({N, G});           // [N, G]
  at::Tensor rz = at::where(fmask, r, at::zeros_like(r));          // flagged groups -> 0 (no inf arithmetic)
  at::Tensor mean = rz.mean(1);                                    // [N]
  at::Tensor std = rz.std(1, /*unbiased=*/true);                   // [N]
  at::Tensor centred = rz - mean.unsqueeze(1);                     // [N, G]
  // A group of identical rewards gets exactly 0 (its floating-point mean can differ from the
  // rewards by an ulp, e.g. three times 0.1, which the 1e-4 of "group" would then amplify).
  at::Tensor equal = std::get<0>(rz.max(1)) == std::get<0>(rz.min(1));  // [N]
  centred = at::where(equal.unsqueeze(1), at::zeros_like(centred), centred);
  std = at::where(equal, at::zeros_like(std), std);

  AdvantageResult res;
  res.n_groups = N;
  const int64_t n_fin = finite.sum().item<int64_t>();
  res.n_nonfinite_groups = N - n_fin;
  at::Tensor fin_rewards = r.masked_select(fmask);                 // the finite groups' rewards
  res.batch_std = fin_rewards.numel() >= 2 ? fin_rewards.std(/*unbiased=*/true).item<double>() : nan;
  res.reward_mean = n_fin > 0 ? fin_rewards.mean().item<double>() : nan;

  at::Tensor adv;
  switch (config.scale) {
    case ScaleRewards::None: adv = centred; break;
    case ScaleRewards::Group: adv = centred / (std.unsqueeze(1) + config.std_eps); break;
    case ScaleRewards::Batch: adv = centred / ((n_fin > 0 ? res.batch_std : 0.0) + config.std_eps); break;
  }
  res.advantages = at::where(fmask, adv, at::zeros_like(adv)).reshape({B});

  at::Tensor zero_std = finite & (std.abs() <= 1e-8);              // torch.isclose(std, 0)
  res.n_zero_std_groups = zero_std.sum().item<int64_t>();
  if (n_fin > 0) {
    res.frac_reward_zero_std = static_cast<double>(res.n_zero_std_groups) / static_cast<double>(n_fin);
    res.reward_std = std.masked_select(finite).mean().item<double>();
  } else {
    res.frac_reward_zero_std = nan;
    res.reward_std = nan;
  }
  at::Tensor nan_n = at::full({N}, nan, mean.options());
  res.group_mean = at::where(finite, mean, nan_n);
  res.group_std = at::where(finite, std, nan_n);
  res.group_finite = finite;
  return res;
}

AdvantageResult compute_advantages(const std::vector<double>& rewards, const AdvantageConfig& config) {
  at::Tensor t = at::tensor(rewards, at::TensorOptions().dtype(at::kDouble));
  return compute_advantages(t, config);
}

}  // namespace ps::train
