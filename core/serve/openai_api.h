// The OpenAI HTTP API as our server speaks it: request bodies of POST /v1/chat/completions and
// POST /v1/completions -> a validated GenerationRequest, and generations -> response bodies.
// Reference: the OpenAI API reference (Chat Completions, legacy Completions, error objects) and
// vLLM's OpenAI-compatible server for the extensions we accept.
//
// Accepted fields (others, e.g. "user" or "stream_options", are ignored like OpenAI ignores
// unknown ones; the features we do not implement are refused with a 400 naming the field):
//   model              string, required; must equal the served model's id (else 404)
//   messages (chat)    [{role: system|user|assistant|tool, content: string | [{type:"text", text}]}],
//                      rendered with the Qwen3 chat template (lm/tokenizer/chat_template.h)
//   prompt (compl.)    string | [string] | [int] | [[int]]  (token ids must be < the model's vocab)
//   max_tokens         int >= 1 (chat also max_completion_tokens); default: what the context leaves;
//                      prompt tokens + max_tokens must fit max_position_embeddings
//   temperature        [0, 2], default 1 (0 = greedy);  top_p (0, 1], default 1
//   top_k              int >= -1 (vLLM extension; 0 and -1 = off), default off
//   seed               int >= 0; without it a sampled batch draws a seed of its own
//   stop               string | [string] (at most 4, non-empty): the text is cut before the match
//   n                  1 .. max_n (the server's --max-batch): choices per prompt
//   logprobs           chat: bool; completions: int 0..5 (the sampled token's log-prob; the
//                      alternatives (top_logprobs) are not computed and are null / [])
//   top_logprobs       chat: must be 0 or absent
//   chat_template_kwargs.enable_thinking (vLLM extension): bool, default true
//   return_tokens_as_token_ids (vLLM extension): logprobs name tokens "token_id:<id>"
//   stream             must be false or absent; frequency/presence_penalty must be 0 or absent
//
// Log-probs are log p(token | prefix) under the distribution the token was drawn from:
// softmax(logits / temperature), or softmax(logits) when greedy (lm/generate.h).
// finish_reason: "stop" (a stop id or stop string ended the row), "length" (max_tokens).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lm/generate.h"
#include "lm/tokenizer/tokenizer.h"

namespace ps::serve {

// An error answered to the client: an HTTP status and OpenAI's error object
// {"error": {"message", "type", "param", "code"}}. `param` names the offending field ("" = none).
// The message and param are kept as valid UTF-8 (invalid bytes quoted from a request become U+FFFD).
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string param = "", std::string type = "");
  int status() const { return status_; }
  const std::string& param() const { return param_; }
  const std::string& type() const { return type_; }
  nlohmann::json body() const;

 private:
  int status_;
  std::string param_, type_;
};

// {"error": {"message": ..., "type": ..., "param": ... or null, "code": null}}
nlohmann::json error_body(const std::string& message, const std::string& type, const std::string& param);
// OpenAI's error type for an HTTP status: 400/413/422 "invalid_request_error", 404 "not_found_error",
// 503 "service_unavailable_error", else "server_error".
std::string error_type_for_status(int status);

// What the server knows when it checks a request.
struct ApiLimits {
  std::string model_id;          // the served model's name
  int64_t context_length = 0;    // max_position_embeddings: prompt + completion tokens
  int64_t vocab_size = 0;        // the model's embedding rows: token-id prompts must be below it
  int64_t max_rows = 8;          // n · number of prompts per request (the batch size)
};

enum class Endpoint { Chat, Completions };

// One request, checked and tokenised: `prompts.size() · n` rows of generation.
struct GenerationRequest {
  Endpoint endpoint = Endpoint::Chat;
  std::string model;
  std::vector<std::vector<int64_t>> prompts;  // token ids, one list per prompt (chat: one)
  int64_t n = 1;
  int64_t max_tokens = 0;       // resolved: the explicit value or what the longest prompt leaves
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;            // 0: off
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool logprobs = false;
  int64_t completion_logprobs = 0;  // completions' `logprobs` N (echoed as asked; alternatives null)
  bool tokens_as_ids = false;       // return_tokens_as_token_ids
  int64_t rows() const { return static_cast<int64_t>(prompts.size()) * n; }
};

// Parse and check a request body. Throws ApiError (400 naming the field for malformed JSON, a
// wrong type or a value out of range; 404 for another model's name).
GenerationRequest parse_chat_request(const std::string& body, const tokenizer::Tokenizer& tok,
                                     const ApiLimits& limits);
GenerationRequest parse_completion_request(const std::string& body, const tokenizer::Tokenizer& tok,
                                           const ApiLimits& limits);

// Response bodies. `generations` holds rows in order prompt 0 choice 0..n-1, prompt 1 ...;
// `id` is the response id ("chatcmpl-..." / "cmpl-..."), `created` Unix seconds.
nlohmann::json chat_response(const GenerationRequest& req, const std::vector<lm::Generation>& generations,
                             const tokenizer::Tokenizer& tok, const std::string& id, int64_t created);
nlohmann::json completion_response(const GenerationRequest& req, const std::vector<lm::Generation>& generations,
                                   const tokenizer::Tokenizer& tok, const std::string& id, int64_t created);
// GET /v1/models: {"object": "list", "data": [{"id", "object": "model", "created", "owned_by",
// "max_model_len"}]}
nlohmann::json models_response(const ApiLimits& limits, int64_t created);

// OpenAI's finish_reason for ours: "stop_id"/"stop_string" -> "stop", "length" -> "length".
std::string openai_finish_reason(const std::string& ours);

// Token ids -> text that never throws: ids the tokenizer does not know (the padding rows of a
// model's vocabulary) decode to U+FFFD. skip_special as Tokenizer::decode.
std::string safe_decode(const tokenizer::Tokenizer& tok, const std::vector<int64_t>& ids, bool skip_special);

}  // namespace ps::serve
