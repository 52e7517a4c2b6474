#include "train/grpo_loss.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace ps::train {

LossType parse_loss_type(const std::string& s) {
  if (s == "grpo") return LossType::Grpo;
  if (s == "bnpo") return LossType::Bnpo;
  if (s == "dr_grpo") return LossType::DrGrpo;
  if (s == "dapo") return LossType::Dapo;
  throw ps::Error("loss_type: must be \"grpo\", \"bnpo\", \"dr_grpo\" or \"dapo\", got \"" + s + "\"");
}

const char* to_string(LossType t) {
  switch (t) {
    case LossType::Grpo: return "grpo";
    case LossType::Bnpo: return "bnpo";
    case LossType::DrGrpo: return "dr_grpo";
    case LossType::Dapo: return "dapo";
  }
  return "?";
}

namespace {
std::string num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return std::to_string(v);
}
}  // namespace

void GrpoLossConfig::validate() const {
  if (!std::isfinite(epsilon_low) || epsilon_low < 0 || epsilon_low >= 1)
    throw ps::Error("epsilon_low: must be in [0, 1), got " + num(epsilon_low));
  if (!std::isfinite(epsilon_high) || epsilon_high < 0)
    throw ps::Error("epsilon_high: must be a finite number >= 0, got " + num(epsilon_high));
  if (delta && (!std::isfinite(*delta) || *delta <= 1 + epsilon_high))
    throw ps::Error("delta: must be finite and > 1 + epsilon_high = " + num(1 + epsilon_high) + ", got " +
                    num(*delta));
  if (!std::isfinite(beta) || beta < 0) throw ps::Error("beta: must be a finite number >= 0, got " + num(beta));
  if (max_completion_length < 1)
    throw ps::Error("max_completion_length: must be >= 1, got " + std::to_string(max_completion_length));
  if (grad_accum_steps < 1)
    throw ps::Error("grad_accum_steps: must be >= 1, got " + std::to_string(grad_accum_steps));
}

at::Tensor k3_kl(const at::Tensor& logp, const at::Tensor& ref_logp) {
  if (!logp.defined() || !ref_logp.defined()) throw ps::Error("k3_kl: logp and ref_logp must be defined");
  if (logp.sizes() != ref_logp.sizes()) throw ps::Error("k3_kl: logp and ref_logp must have the same shape");
  at::Tensor d = ref_logp.to(logp.scalar_type()) - logp;
  return at::exp(d) - d - 1;
}

std::vector<std::pair<std::string, double>> GrpoLossResult::metrics(double beta) const {
  std::vector<std::pair<std::string, double>> m;
  if (beta != 0) m.emplace_back("kl", kl);
  m.emplace_back("clip_ratio/low_mean", clip_low_mean);
  m.emplace_back("clip_ratio/low_min", clip_low_min);
  m.emplace_back("clip_ratio/high_mean", clip_high_mean);
  m.emplace_back("clip_ratio/high_max", clip_high_max);
  m.emplace_back("clip_ratio/region_mean", clip_region_mean);
  return m;
}

namespace {

void check_bt(const at::Tensor& t, const char* name, int64_t B, int64_t T, const at::Tensor& like) {
  if (t.dim() != 2 || t.size(0) != B || t.size(1) != T)
    throw ps::Error(std::string("grpo_loss: ") + name + " must have the shape [B, T] = [" + std::to_string(B) + ", " +
                    std::to_string(T) + "] of logp");
  if (t.device() != like.device())
    throw ps::Error(std::string("grpo_loss: ") + name + " is on another device than logp");
}

}  // namespace

GrpoLossResult grpo_loss(const GrpoLossConfig& config, const GrpoLossInputs& in) {
  config.validate();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!in.logp.defined() || in.logp.dim() != 2) throw ps::Error("grpo_loss: logp must be a 2-D tensor [B, T]");
  if (!at::isFloatingType(in.logp.scalar_type())) throw ps::Error("grpo_loss: logp must be floating-point");
  const int64_t B = in.logp.size(0), T = in.logp.size(1);
  if (B == 0) throw ps::Error("grpo_loss: empty batch (B = 0)");
  if (!in.completion_mask.defined()) throw ps::Error("grpo_loss: completion_mask is undefined");
  check_bt(in.completion_mask, "completion_mask", B, T, in.logp);
  if (in.old_logp.defined()) check_bt(in.old_logp, "old_logp", B, T, in.logp);
  const bool use_kl = config.beta != 0;
  if (use_kl) {
    if (!in.ref_logp.defined()) throw ps::Error("grpo_loss: ref_logp is undefined but beta = " + num(config.beta));
    check_bt(in.ref_logp, "ref_logp", B, T, in.logp);
  }
  if (!in.advantages.defined() || in.advantages.dim() != 1 || in.advantages.size(0) != B)
    throw ps::Error("grpo_loss: advantages must have the shape [B] = [" + std::to_string(B) + "]");
  if (in.advantages.device() != in.logp.device())
    throw ps::Error("grpo_loss: advantages is on another device than logp");

  // Computed in float32 at least (float64 when logp is): a bf16 token count is exact only to 256.
  const auto dt = in.logp.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  at::Tensor logp = in.logp.to(dt);  // differentiable cast
  at::Tensor M = in.completion_mask.to(dt);
  if (((M != 0) & (M != 1)).any().item<bool>()) throw ps::Error("grpo_loss: completion_mask must hold only 0 and 1");
  at::Tensor A = in.advantages.detach().to(dt).unsqueeze(1);  // [B, 1]

  at::Tensor old = in.old_logp.defined() ? in.old_logp.detach().to(dt) : logp.detach();
  at::Tensor ratio = at::exp(logp - old);  // coef_1
  at::Tensor clipped = at::clamp(ratio, 1 - config.epsilon_low, 1 + config.epsilon_high);  // coef_2
  at::Tensor r1 = config.delta ? at::clamp_max(ratio, *config.delta) : ratio;
  at::Tensor per_token = -at::minimum(r1 * A, clipped * A);
  at::Tensor D;
  if (use_kl) {
    D = k3_kl(logp, in.ref_logp.detach());
    per_token = per_token + config.beta * D;
  }

  GrpoLossResult res;
  res.per_token_loss = per_token;
  at::Tensor masked = per_token * M;
  const double active = in.completion_mask.to(at::kDouble).sum().item<double>();
  res.active_tokens = static_cast<int64_t>(std::llround(active));
  const double accum = static_cast<double>(config.grad_accum_steps);
  switch (config.loss_type) {
    case LossType::Grpo:
      res.loss = (masked.sum(1) / M.sum(1).clamp_min(1.0)).mean() / accum;
      break;
    case LossType::Bnpo:
      res.loss = masked.sum() / M.sum().clamp_min(1.0) / accum;
      break;
    case LossType::DrGrpo:
      res.loss = masked.sum() / (static_cast<double>(B) * static_cast<double>(config.max_completion_length)) / accum;
      break;
    case LossType::Dapo: {
      const double g = in.dapo_active_tokens;
      if (!std::isfinite(g) || g < active)
        throw ps::Error("grpo_loss: dapo_active_tokens (" + num(g) + ") must count the masked tokens of the whole "
                        "accumulated batch, at least this micro-batch's " + num(active));
      res.loss = masked.sum() / std::max(g, 1.0);
      break;
    }
  }

  // Metrics (no grad).
  at::NoGradGuard ng;
  auto masked_mean = [&](const at::Tensor& x) {
    return active > 0 ? (x.to(dt) * M).sum().item<double>() / active : nan;
  };
  at::Tensor rd = ratio.detach();
  at::Tensor low = (rd < 1 - config.epsilon_low) & (A < 0);
  at::Tensor high = (rd > 1 + config.epsilon_high) & (A > 0);
  res.clip_low_mean = masked_mean(low);
  res.clip_high_mean = masked_mean(high);
  res.clip_region_mean = masked_mean(low | high);
  res.clip_low_min = res.clip_low_mean;    // one process: min over one value
  res.clip_high_max = res.clip_high_mean;  // one process: max over one value
  res.kl = use_kl ? masked_mean(D.detach()) : nan;
  return res;
}

}  // namespace ps::train
