// Test-time compute (TTC): one interface for every strategy that turns an item's prompt into a
// final answer by spending some number of generated tokens.
//
// Generation is injected (a Sampler), so the strategies are plain bookkeeping over completions:
// tests drive them with scripted completions, the CLI with lm::generate (ttc/lm_sampler.h).
//
// Dimension legend: N items (prompts), K completions per item in one round.
//
// Conventions (answer_parser.h): a parsed answer states `de` with confidence c, P(DE) = c if de
// else 1 − c; an item whose final answer does not parse has P(DE) = 0.5 (as in train/evaluate.h).
// Token accounting counts generated (completion) tokens only, never prompt tokens.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prompt/answer_parser.h"

namespace ps::ttc {

// One generated completion.
struct Completion {
  std::string text;               // decoded, stop id removed (what parse_answer reads)
  int64_t tokens = 0;             // generated tokens, a final stop id included
  std::string finish_reason;      // "stop_id" | "stop_string" | "length"
};

// A generation request of one round: K completions per item, greedy (temperature 0, then
// K must be 1) or sampled. `round` numbers the rounds of an item from 0 (seeds differ by round).
struct SampleRequest {
  int64_t k = 1;
  bool greedy = true;
  int64_t round = 0;
};

// items: indices into the caller's prompt list [N]; returns [N][K] completions in that order.
// Must throw ps::Error (never return short) on failure.
using Sampler = std::function<std::vector<std::vector<Completion>>(const std::vector<size_t>& items,
                                                                   const SampleRequest& request)>;

// One round of an item: its K completions and their parsed answers.
struct Round {
  std::string kind;                          // "greedy" | "sample"
  std::vector<Completion> completions;       // [K]
  std::vector<prompt::ParsedAnswer> parsed;  // [K]
  int64_t tokens() const;                    // sum of completions' tokens
};

// The outcome of a strategy on one item.
struct TtcOutcome {
  prompt::ParsedAnswer answer;   // the final answer (for a vote: de = the winner, confidence = its share)
  double p_de = 0.5;             // the aggregate P(DE); 0.5 when nothing parsed
  std::vector<Round> rounds;     // every round, in order (a selective outcome starts with its greedy round)
  int64_t total_tokens() const;  // sum over rounds
  std::vector<int64_t> round_tokens() const;
  // {"rounds": [{"kind", "tokens", "completions": [{"text", "tokens", "finish_reason", "parse_failure",
  //   "de", "confidence"}]}], "tokens_per_round": [...], "total_tokens"}
  nlohmann::json to_json() const;
};

// Parses a completion as evaluate.h does (finish_reason "length" = truncated).
prompt::ParsedAnswer parse_completion(const Completion& c);
// A round from completions (parses each).
Round make_round(std::string kind, std::vector<Completion> completions);

class Strategy {
 public:
  virtual ~Strategy() = default;
  // "greedy", "sc", ... (the CLI's names)
  virtual std::string name() const = 0;
  // Outcomes of `items` (indices into the caller's prompts), in that order.
  virtual std::vector<TtcOutcome> run(const std::vector<size_t>& items, const Sampler& sample) const = 0;
};

// Confidence of an outcome's final answer for selection: c of its parsed answer, 0 when unparsed
// (an unparseable answer is the least certain, so it gets extra compute whenever tau > 0).
double selection_confidence(const TtcOutcome& o);

}  // namespace ps::ttc
