// The Qwen3 chat template (tokenizer_config.json's Jinja template for the hybrid
// thinking models), written out in code for conversations without tool definitions:
//
//   <|im_start|>system\n{system}<|im_end|>\n            (only when the first turn is system)
//   <|im_start|>user\n{content}<|im_end|>\n
//   <|im_start|>assistant\n<think>\n{reasoning}\n</think>\n\n{answer}<|im_end|>\n
//   ...
//   <|im_start|>assistant\n                            (generation prompt)
//   <think>\n\n</think>\n\n                              (... when enable_thinking is false)
//
// Assistant turns before the last user query lose their reasoning; later ones keep it
// (the reasoning comes from `reasoning_content` or is split off at "</think>").
// Tool results (role "tool") are wrapped in <tool_response> inside a user turn.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace ps::tokenizer {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" or "tool"
  std::string content;
  std::optional<std::string> reasoning_content;  // assistant only; else taken from <think>...</think>
};

struct ChatTemplateOptions {
  bool add_generation_prompt = true;
  bool enable_thinking = true;
};

// The prompt text; throws ps::Error for an unknown role.
std::string apply_qwen3_chat_template(const std::vector<ChatMessage>& messages,
                                      const ChatTemplateOptions& options = {});

}  // namespace ps::tokenizer
