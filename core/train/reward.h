// GRPO rewards of parsed answers: RLCR (correctness + calibration) or RLVR (correctness only),
// with an explicit penalty for unparseable output. Each component is kept apart so the trainer
// can log it by name ("rewards/<name>/mean", "rewards/<name>/std", TRL's names, pipeline-facts A.6).
//
// For one completion with parsed answer a and label y in {0, 1} (1 = DE):
//   parseable (a.ok()):
//     correctness = 1[a.de == (y == 1)]                          in {0, 1}
//     calibration = 1 - (P(DE) - y)^2,  P(DE) = a.p_de()         in [0, 1]   (RLCR only; 0 for RLVR)
//     format      = 0
//   unparseable (!a.ok()):
//     correctness = calibration = 0,  format = -parse_penalty            (parse_penalty > 0)
//   total = correctness + calibration + format
//
// Source: RLCR (damanimehul/RLCR reward_fns.py, pipeline-facts B): accuracy + brier with
// brier = 1 - (conf - acc)^2. Because the parser's confidence c is the confidence in the stated
// answer and P(DE) = c if de else 1 - c, (P(DE) - y)^2 == (c - correctness)^2: this is RLCR's
// Brier term exactly. RLCR's own code gives a malformed answer 0, which ties with the most
// overconfident wrong answer (pipeline-facts B); here the penalty puts every unparseable answer
// strictly below every parseable one (whose minimum total is 0: wrong with confidence 1):
//   unparseable (-parse_penalty) < wrong & conf 1 (0) < wrong & conf 0 (1) = right & conf 0 (1) < right & conf 1 (2)
// for RLCR; for RLVR: unparseable (-parse_penalty) < wrong (0) < right (1).
// Dimensions (batch functions): B = N*G rows, N prompts, G = K completions per prompt, prompt-major.
// A constant shift of every reward cancels in the group-mean advantage (advantage.h).
#pragma once
#include <string>
#include <vector>

#include "prompt/answer_parser.h"

namespace ps::train {

struct RewardConfig {
  std::string kind = "rlcr";   // "rlcr" (correctness + calibration) | "rlvr" (correctness only)
  double parse_penalty = 0.5;  // reward units; an unparseable completion gets total -parse_penalty; must be > 0
  // Throws ps::Error naming the field ("reward.kind", "reward.parse_penalty").
  void validate() const;
};

struct RewardParts {
  double correctness = 0;  // 0/1
  double calibration = 0;  // 1 - (P(DE) - y)^2 in [0, 1] (RLCR); always 0 for RLVR
  double format = 0;       // 0 when parseable, -parse_penalty otherwise
  double total = 0;        // correctness + calibration + format
};

// The components the configured reward uses, in logging order:
//   rlcr: {"correctness", "calibration", "format"};  rlvr: {"correctness", "format"}.
// (Log as "rewards/<name>/mean" and "rewards/<name>/std"; the total is TRL's "reward".)
std::vector<std::string> reward_component_names(const RewardConfig& config);

// The value of a component by its name ("correctness", "calibration", "format" or "total");
// throws ps::Error for another name.
double reward_component(const RewardParts& parts, const std::string& name);

// One completion. `label` must be 0 or 1. A parseable answer must have a finite confidence in
// [0, 1] (the parser guarantees it); anything else throws ps::Error rather than giving a
// non-finite or out-of-range reward. Validates the config.
RewardParts compute_reward(const RewardConfig& config, const ps::prompt::ParsedAnswer& answer, int label);

// A batch: answers[i] scored against labels[i] (same length, else ps::Error). Row order is kept
// (prompt-major for GRPO: the G completions of a prompt are consecutive, each with its prompt's label).
std::vector<RewardParts> compute_rewards(const RewardConfig& config,
                                         const std::vector<ps::prompt::ParsedAnswer>& answers,
                                         const std::vector<int>& labels);

// The totals of a batch, in order (the input of compute_advantages).
std::vector<double> reward_totals(const std::vector<RewardParts>& parts);

struct RewardStat {
  std::string name;  // a component name, or "total"
  double mean = 0;   // NaN for an empty batch
  double std = 0;    // unbiased (Bessel, n - 1) as TRL's nanstd; NaN when fewer than 2 rows
};

// Mean and std of each component of reward_component_names(config), then of "total".
std::vector<RewardStat> reward_stats(const RewardConfig& config, const std::vector<RewardParts>& parts);

}  // namespace ps::train
