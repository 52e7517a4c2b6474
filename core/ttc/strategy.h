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
  std::string text;               // decoded, stop id removed (what parse_answer reads); for a continuation,
                                  // the whole response: the kept reasoning, the cue, the new tokens
  int64_t tokens = 0;             // generated tokens, a final stop id included (appended ones not)
  std::string finish_reason;      // "stop_id" | "stop_string" | "length"
  // Thinking tokens generated in this completion before its "</think>" (all of them when it never
  // closed its thinking): what budget forcing's budget counts. Samplers that know "</think>" fill it.
  int64_t thinking_tokens = 0;
  // Continuations only (SampleRequest::Mode::Continue; 0 / false / "" otherwise):
  int64_t kept_tokens = 0;        // response tokens kept from the earlier rounds (the reasoning continued from)
  int64_t appended_tokens = 0;    // cue and forced tokens passed through the model, not generated
  bool forced = false;            // "</think>" was forced: the thinking budget (or the context) ran out
  std::string prefix;             // the kept reasoning as text (`text` starts with it)
};

// Budget forcing's continuation of one item (budget_forcing.h).
struct Continuation {
  bool force_answer = false;   // false: "wait" (think more, then answer); true: answer now
  std::string cue = "Wait,";   // wait: appended after the kept reasoning
  int64_t think_tokens = 0;    // wait: at most this many new thinking tokens (>= 1); then "</think>" is forced
};

// A generation request of one round: K completions per item, greedy (temperature 0, then
// K must be 1) or sampled. `round` numbers the rounds of an item from 0 (seeds differ by round).
// Budget forcing adds stateful modes (greedy, K = 1 only):
//   Keep:     as a greedy request, and the sampler keeps each item's sequence (prompt + completion)
//             with its KV cache for Continue requests, replacing whatever it kept before.
//   Continue: each item's kept sequence is cut back to just before the first "</think>" of its
//             response (the whole response, a final stop id dropped, when there is none): the answer is
//             dropped, the reasoning kept (its KV cache rolled back to it, not recomputed). Then per
//             cont[i]: wait = append the cue, think for at most think_tokens new tokens (until
//             "</think>"; when they run out "</think>\n" is forced; a stop id ending the turn inside the
//             thinking is dropped and "</think>\n" appended), then answer; force_answer = append
//             "</think>\n" and answer. Returns one completion per item (the whole response as text).
//   Release:  drops every kept sequence; `items` is empty and nothing is returned.
struct SampleRequest {
  int64_t k = 1;
  bool greedy = true;
  int64_t round = 0;
  enum class Mode { Fresh, Keep, Continue, Release };
  Mode mode = Mode::Fresh;
  std::vector<Continuation> cont;  // Continue: one per item
};

// items: indices into the caller's prompt list [N]; returns [N][K] completions in that order
// ([0] for Release). Must throw ps::Error (never return short) on failure, also for a mode it does
// not support.
using Sampler = std::function<std::vector<std::vector<Completion>>(const std::vector<size_t>& items,
                                                                   const SampleRequest& request)>;

// One round of an item: its K completions and their parsed answers.
struct Round {
  std::string kind;                          // "greedy" | "sample" | "wait" | "forced" (budget forcing)
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
  //   "de", "confidence", "thinking_tokens"[, "kept_tokens", "appended_tokens", "forced"] (continuations)}]}],
  //  "tokens_per_round": [...], "thinking_tokens_per_round": [...], "total_tokens"}
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
  // Selective allocation at tau (selective.h): a greedy pass over every item, extra compute only for
  // the items whose greedy confidence is below tau. Default: Greedy, then run() on the selected items
  // (defined in selective.cpp); budget forcing overrides it, its greedy pass being its round 0.
  virtual std::vector<TtcOutcome> run_selective(const std::vector<size_t>& items, double tau,
                                                const Sampler& sample) const;
};

// Confidence of an outcome's final answer for selection: c of its parsed answer, 0 when unparsed
// (an unparseable answer is the least certain, so it gets extra compute whenever tau > 0).
double selection_confidence(const TtcOutcome& o);

}  // namespace ps::ttc
