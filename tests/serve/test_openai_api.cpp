// The OpenAI request parser on hostile bodies (cases found by fuzz/fuzz_openai_request.cpp).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "serve/openai_api.h"
#include "tokenizer/tiny_tokenizer.h"

namespace {

const ps::tokenizer::Tokenizer& tok() {
  static const auto t = ps::tokenizer::Tokenizer::from_json(tiny::make({{"h", "e"}}).dump(), "tiny.json");
  return t;
}

ps::serve::ApiLimits limits() {
  ps::serve::ApiLimits l;
  l.model_id = "tiny";
  l.context_length = 64;
  l.vocab_size = tok().vocab_size();
  l.max_rows = 8;
  return l;
}

}  // namespace

// Invalid UTF-8 in a body: a 400 whose message (nlohmann quotes the bad bytes) is valid UTF-8, so the
// error body serialises with nlohmann's default (strict) dump; it used to throw type_error.316.
TEST(OpenAiRequest, InvalidUtf8BodyGivesA400ThatSerialises) {
  for (const std::string body : {std::string("{\"model\":\"tiny\xa2\",\"prompt\":\"x\"}"), std::string("\xff\xfe{"),
                                 std::string("{\"model\":\"tiny\",\"prompt\":\"\xe2\x82\"}")}) {
    for (bool chat : {true, false}) {
      try {
        chat ? ps::serve::parse_chat_request(body, tok(), limits())
             : ps::serve::parse_completion_request(body, tok(), limits());
        FAIL() << "expected ApiError";
      } catch (const ps::serve::ApiError& e) {
        EXPECT_EQ(e.status(), 400);
        EXPECT_EQ(ps::find_invalid_utf8(e.what()), std::string::npos) << e.what();
        std::string dumped;
        EXPECT_NO_THROW(dumped = e.body().dump());
        EXPECT_NE(dumped.find("not valid JSON"), std::string::npos) << dumped;
      }
    }
  }
}

// A number beyond double's range: nlohmann throws out_of_range (not parse_error) on the second
// parse that names the position; it escaped as an unexpected exception (found by the fuzzer).
TEST(OpenAiRequest, NumberOverflowIsA400) {
  for (const std::string body : {std::string("44444444e44444"), std::string("{\"model\":\"tiny\",\"max_tokens\":1e99999}")}) {
    for (bool chat : {true, false}) {
      try {
        chat ? ps::serve::parse_chat_request(body, tok(), limits())
             : ps::serve::parse_completion_request(body, tok(), limits());
        FAIL() << "expected ApiError";
      } catch (const ps::serve::ApiError& e) {
        EXPECT_EQ(e.status(), 400);
        EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(OpenAiRequest, ValidBodiesStillParse) {
  const auto req = ps::serve::parse_completion_request(R"({"model":"tiny","prompt":"hehe","max_tokens":4})", tok(),
                                                       limits());
  ASSERT_EQ(req.prompts.size(), 1u);
  EXPECT_EQ(req.prompts[0], (std::vector<int64_t>{256, 256}));  // "he" merged twice
  EXPECT_EQ(req.max_tokens, 4);
}
