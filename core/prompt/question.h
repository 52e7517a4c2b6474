// Item + evidence -> chat messages for the policy (no torch).
//
//   system: the task and the answer format (answer_parser.h)
//   user:   Cell line: K562 (chronic myelogenous leukaemia cells ...).
//           Knockdown: MED12 (mediator complex subunit 12).
//           Read-out: MYC (MYC proto-oncogene, bHLH transcription factor).
//           <evidence lines, evidence.h>
//           Is MYC differentially expressed after MED12 knockdown in K562?
//
// Deterministic: the same evidence and config give the same text. With a token counter, lists
// are trimmed (the longest list first, one entry at a time) until the prompt fits the budget;
// a prompt that cannot fit even with every list empty is a ps::Error naming the item.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lm/tokenizer/chat_template.h"
#include "prompt/evidence.h"

namespace ps::prompt {

struct PromptConfig {
  EvidenceLimits limits;               // the most evidence shown (before budget trimming)
  size_t max_prompt_tokens = 1024;     // budget for the whole rendered prompt (chat template included)
  bool include_knn_prior = false;      // add the KNN-KG P(DE) to the evidence (experiments only)
  bool include_descriptions = true;    // gene full names and the cell-line description
  std::string system_prompt = default_system_prompt();

  static std::string default_system_prompt();
  // Reads the "prompt" object of a run config; unknown keys and bad values are ps::Error naming
  // "<source>: prompt.<field>".
  static PromptConfig from_json(const nlohmann::json& j, const std::string& source);
  nlohmann::json to_json() const;
  void validate(const std::string& source) const;
};

// Counts the tokens of a text (the tokenizer's encode().size()).
using TokenCounter = std::function<size_t(const std::string&)>;

struct BuiltPrompt {
  std::vector<tokenizer::ChatMessage> messages;  // system (if any) + user
  std::string text;                              // the chat-template rendering with the generation prompt
  size_t tokens = 0;                             // by the counter (0 without one)
  EvidenceLimits limits_used;                    // after trimming
};

// The user message alone.
std::string user_message(const ItemEvidence& e, const PromptConfig& cfg, const EvidenceLimits& limits);

// Messages and rendered text; trims to cfg.max_prompt_tokens when count is given.
BuiltPrompt build_prompt(const ItemEvidence& e, const PromptConfig& cfg, const TokenCounter& count = {});

}  // namespace ps::prompt
