// The Qwen3 chat template, against renderings written out by hand from the template's
// rules (pipeline-facts.md section C and the Jinja template in tokenizer_config.json).
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/paths.h"
#include "lm/tokenizer/chat_template.h"
#include "lm/tokenizer/tokenizer.h"

using namespace ps::tokenizer;

TEST(Qwen3ChatTemplate, UserTurnAndGenerationPrompt) {
  const std::vector<ChatMessage> msgs = {{"user", "Does MYC knockdown change TP53?", {}}};
  EXPECT_EQ(apply_qwen3_chat_template(msgs),
            "<|im_start|>user\nDoes MYC knockdown change TP53?<|im_end|>\n<|im_start|>assistant\n");
  ChatTemplateOptions no_think;
  no_think.enable_thinking = false;
  EXPECT_EQ(apply_qwen3_chat_template(msgs, no_think),
            "<|im_start|>user\nDoes MYC knockdown change TP53?<|im_end|>\n<|im_start|>assistant\n"
            "<think>\n\n</think>\n\n");
  ChatTemplateOptions no_prompt;
  no_prompt.add_generation_prompt = false;
  EXPECT_EQ(apply_qwen3_chat_template(msgs, no_prompt), "<|im_start|>user\nDoes MYC knockdown change TP53?<|im_end|>\n");
}

TEST(Qwen3ChatTemplate, SystemTurnFirst) {
  EXPECT_EQ(apply_qwen3_chat_template({{"system", "You are a biologist.", {}}, {"user", "Hi", {}}}),
            "<|im_start|>system\nYou are a biologist.<|im_end|>\n"
            "<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(Qwen3ChatTemplate, EarlierAssistantTurnsLoseTheirReasoning) {
  const std::vector<ChatMessage> msgs = {
      {"user", "Q1", {}},
      {"assistant", "<think>\nfirst thoughts\n</think>\n\nA1", {}},
      {"user", "Q2", {}},
  };
  EXPECT_EQ(apply_qwen3_chat_template(msgs),
            "<|im_start|>user\nQ1<|im_end|>\n"
            "<|im_start|>assistant\nA1<|im_end|>\n"
            "<|im_start|>user\nQ2<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(Qwen3ChatTemplate, AssistantTurnsAfterTheLastQueryKeepReasoning) {
  ChatTemplateOptions opt;
  opt.add_generation_prompt = false;
  // From reasoning_content, and split off at </think> in the content.
  EXPECT_EQ(apply_qwen3_chat_template({{"user", "Q", {}}, {"assistant", "Yes.", std::string("because")}}, opt),
            "<|im_start|>user\nQ<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nbecause\n</think>\n\nYes.<|im_end|>\n");
  EXPECT_EQ(apply_qwen3_chat_template({{"user", "Q", {}}, {"assistant", "<think>\n\nhmm\n\n</think>\n\nYes.", {}}}, opt),
            "<|im_start|>user\nQ<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nhmm\n</think>\n\nYes.<|im_end|>\n");
  // The final assistant turn always gets a (possibly empty) think block.
  EXPECT_EQ(apply_qwen3_chat_template({{"user", "Q", {}}, {"assistant", "Yes.", {}}}, opt),
            "<|im_start|>user\nQ<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\nYes.<|im_end|>\n");
}

TEST(Qwen3ChatTemplate, ToolResponsesAndLaterSystemTurns) {
  ChatTemplateOptions opt;
  const std::vector<ChatMessage> msgs = {
      {"user", "Look up TP53", {}},
      {"assistant", "Calling the tool.", {}},
      {"tool", "{\"symbol\": \"TP53\"}", {}},
      {"tool", "{\"chr\": 17}", {}},
      {"system", "Be brief.", {}},
  };
  // The tool results do not count as a query, so the assistant turn after the user keeps
  // an (empty) think block only if it had reasoning: it had none and is not last.
  EXPECT_EQ(apply_qwen3_chat_template(msgs, opt),
            "<|im_start|>user\nLook up TP53<|im_end|>\n"
            "<|im_start|>assistant\nCalling the tool.<|im_end|>\n"
            "<|im_start|>user\n<tool_response>\n{\"symbol\": \"TP53\"}\n</tool_response>\n<tool_response>\n"
            "{\"chr\": 17}\n</tool_response><|im_end|>\n"
            "<|im_start|>system\nBe brief.<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_THROW(apply_qwen3_chat_template({{"bot", "x", {}}}), ps::Error);
}

TEST(Qwen3ChatTemplate, EncodesWithWholeControlTokens) {
  auto fx = ps::locate_fixtures();
  if (!fx) GTEST_SKIP() << "fixtures not found";
  const Tokenizer t = Tokenizer::from_file(*fx + "/qwen3-tokenizer");
  ChatTemplateOptions opt;
  opt.enable_thinking = false;
  const auto ids = t.encode(apply_qwen3_chat_template({{"user", "Hi", {}}}, opt));
  // <|im_start|> user \n Hi <|im_end|> \n <|im_start|> assistant \n <think> \n\n </think> \n\n
  ASSERT_GE(ids.size(), 10u);
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back() == 271 || ids.back() == 198, true);  // "\n\n" or "\n"
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151644), 2);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151645), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151667), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151668), 1);
}
