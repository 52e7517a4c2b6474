#include "train/reward.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace ps::train {

void RewardConfig::validate() const {
  if (kind != "rlcr" && kind != "rlvr")
    throw ps::Error("reward.kind: must be \"rlcr\" or \"rlvr\", got \"" + kind + "\"");
  if (!std::isfinite(parse_penalty) || !(parse_penalty > 0))
    throw ps::Error("reward.parse_penalty: must be a finite number > 0 (so an unparseable answer ranks below every "
                    "parseable one, whose minimum reward is 0), got " + std::to_string(parse_penalty));
}

std::vector<std::string> reward_component_names(const RewardConfig& config) {
  config.validate();
  if (config.kind == "rlcr") return {"correctness", "calibration", "format"};
  return {"correctness", "format"};
}

double reward_component(const RewardParts& parts, const std::string& name) {
  if (name == "correctness") return parts.correctness;
  if (name == "calibration") return parts.calibration;
  if (name == "format") return parts.format;
  if (name == "total") return parts.total;
  throw ps::Error("unknown reward component \"" + name + "\" (correctness, calibration, format, total)");
}

namespace {

RewardParts score(const RewardConfig& config, const ps::prompt::ParsedAnswer& answer, int label, size_t row) {
  const std::string at = row == static_cast<size_t>(-1) ? std::string() : " (row " + std::to_string(row) + ")";
  if (label != 0 && label != 1) throw ps::Error("reward: label must be 0 or 1, got " + std::to_string(label) + at);
  RewardParts p;
  if (!answer.ok()) {
    p.format = -config.parse_penalty;
    p.total = p.format;
    return p;
  }
  if (!std::isfinite(answer.confidence) || answer.confidence < 0 || answer.confidence > 1)
    throw ps::Error("reward: a parsed answer has confidence " + std::to_string(answer.confidence) +
                    " (must be finite, in [0, 1])" + at);
  p.correctness = answer.correct(label) ? 1.0 : 0.0;
  if (config.kind == "rlcr") {
    const double d = answer.p_de() - static_cast<double>(label);
    p.calibration = 1.0 - d * d;
  }
  p.total = p.correctness + p.calibration + p.format;
  return p;
}

}  // namespace

RewardParts compute_reward(const RewardConfig& config, const ps::prompt::ParsedAnswer& answer, int label) {
  config.validate();
  return score(config, answer, label, static_cast<size_t>(-1));
}

std::vector<RewardParts> compute_rewards(const RewardConfig& config,
                                         const std::vector<ps::prompt::ParsedAnswer>& answers,
                                         const std::vector<int>& labels) {
  config.validate();
  if (answers.size() != labels.size())
    throw ps::Error("reward: " + std::to_string(answers.size()) + " answers but " + std::to_string(labels.size()) +
                    " labels");
  std::vector<RewardParts> out;
  out.reserve(answers.size());
  for (size_t i = 0; i < answers.size(); ++i) out.push_back(score(config, answers[i], labels[i], i));
  return out;
}

std::vector<double> reward_totals(const std::vector<RewardParts>& parts) {
  std::vector<double> t;
  t.reserve(parts.size());
  for (const auto& p : parts) t.push_back(p.total);
  return t;
}

std::vector<RewardStat> reward_stats(const RewardConfig& config, const std::vector<RewardParts>& parts) {
  std::vector<std::string> names = reward_component_names(config);
  names.push_back("total");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<RewardStat> out;
  for (const auto& name : names) {
    RewardStat s{name, nan, nan};
    const size_t n = parts.size();
    if (n > 0) {
      double sum = 0;
      for (const auto& p : parts) sum += reward_component(p, name);
      s.mean = sum / static_cast<double>(n);
      if (n > 1) {
        double ss = 0;
        for (const auto& p : parts) {
          const double d = reward_component(p, name) - s.mean;
          ss += d * d;
        }
        s.std = std::sqrt(ss / static_cast<double>(n - 1));
      }
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace ps::train
