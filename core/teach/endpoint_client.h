// A client of any OpenAI-compatible POST /v1/chat/completions server (vLLM, llama.cpp's server,
// `perturbscope-cli serve`, a hosted API), over cpp-httplib (http and https).
//
//   ps::teach::EndpointConfig cfg;
//   cfg.url = "http://127.0.0.1:8000/v1";  cfg.model = "Qwen3-8B";  cfg.api_key_env = "OPENAI_API_KEY";
//   ps::teach::EndpointClient client(cfg);                      // validates, reads the key
//   std::vector<ps::teach::ChatResult> out = client.complete_all(requests);   // input order
//
// Requests: {"model", "messages": [{role, content}], "temperature", "max_tokens"}, with the key as
// `Authorization: Bearer KEY` when one is configured.
// Result text: choices[0].message.content; when the server also returns the reasoning separately
// (message.reasoning_content, vLLM's reasoning parsers; or message.reasoning) and the content has
// no "</think>", the text is "<think>\n" + reasoning + "\n</think>\n" + content, so
// prompt::parse_answer sees one completion either way.
//
// Retries (at most max_retries after the first attempt): HTTP 429 and 5xx, connection errors and
// timeouts. The wait before retry k (1, 2, ...) is the server's Retry-After (seconds or an HTTP
// date) when it sends one, else backoff_initial_seconds · 2^(k-1) with "equal jitter" (uniform in
// [half, all] of it); both capped at backoff_max_seconds. Other 4xx (400, 401, 403, 404, 422 ...)
// and a 2xx without a usable choices[0].message are not retried.
//
// SIGPIPE: a server that closes the connection while the request is written gives a connection
// error (retried), not a dead process: the client blocks SIGPIPE in its thread while it works.
//
// The key: never written to a log line, an error message, an exception or a result. Every text
// that comes from the server (error bodies, completions) has the key replaced by "[REDACTED]"
// before the client returns it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lm/tokenizer/chat_template.h"

namespace ps::teach {

struct EndpointConfig {
  std::string url;                       // base URL "http[s]://host[:port][/prefix]" -> POST {prefix}/chat/completions
                                         // (no prefix: /v1); a URL ending in /chat/completions is used as is. Required.
  std::string model;                     // the "model" field. Required.
  std::string api_key_env;               // name of an environment variable holding the key ("": none)
  std::string api_key_file;              // a file holding the key, mode 0600 or stricter ("": none); not both
  double temperature = 0.6;              // sampling temperature in [0, 2] (Qwen3 thinking mode: 0.6)
  int64_t max_tokens = 4096;             // completion tokens per request, >= 1
  int concurrency = 4;                   // requests in flight at once, in [1, 256]
  double timeout_seconds = 120;          // connect, and each socket read/write, in (0, 3600]
  int max_retries = 3;                   // retries after the first attempt, in [0, 20]
  double backoff_initial_seconds = 1.0;  // first retry's wait before jitter, in [0, 600]
  double backoff_max_seconds = 60;       // cap of every wait (Retry-After included), >= backoff_initial_seconds

  // ps::Error naming each bad field ("endpoint: concurrency must be in [1, 256], got 0").
  void validate() const;
  // From a JSON object with these field names (unknown fields are errors); `source` names it in errors.
  static EndpointConfig from_json(const nlohmann::json& j, const std::string& source);
  nlohmann::json to_json() const;  // the field names only; never the key
};

// The key the config points to ("" when neither api_key_env nor api_key_file is set).
// ps::Error (naming the variable or file, never the key) when the variable is unset or empty, the
// file is missing, unreadable, empty, or readable by group/others (mode & 077 != 0).
std::string resolve_api_key(const EndpointConfig& config);

// `text` with every occurrence of `secret` replaced by "[REDACTED]" (no-op for an empty secret).
std::string redact(std::string text, const std::string& secret);

struct ChatRequest {
  std::string id;                                  // the caller's id, copied to the result
  std::vector<tokenizer::ChatMessage> messages;    // role + content (reasoning_content is not sent)
};

struct ChatResult {
  std::string id;
  std::string text;           // the completion (see the header comment); "" on failure
  std::string finish_reason;  // the server's ("stop", "length", ...); "" when it sent none or on failure
  int attempts = 0;           // HTTP attempts made (1 + retries)
  double seconds = 0;         // wall time for this request, waits included
  int http_status = 0;        // the last response's status (0: no response)
  std::string error;          // "" on success; else why, key-free
  bool ok() const { return error.empty(); }
};

// The parts of complete() that read what a server sent (exposed for the tests and fuzz/).
// A 2xx body -> r.text and r.finish_reason as the header comment says, r.error cleared; or, when it
// has no usable choices[0].message (not JSON, no choices, ...), r.error naming `where_to` with the
// start of the body. Never throws; every text it sets is valid UTF-8 and has `key` redacted.
void read_chat_response(const std::string& body, const std::string& where_to, const std::string& key, ChatResult& r);
// The message of an error response: error.message of an OpenAI error body, else the body itself;
// one line of at most 300 bytes (+ "..."), valid UTF-8, `key` redacted before the cut. Never throws.
std::string error_response_message(const std::string& body, const std::string& key);

class EndpointClient {
 public:
  // Validates the config and reads the key; ps::Error otherwise.
  explicit EndpointClient(EndpointConfig config);

  // One request with retries. Never throws for HTTP or network trouble: the result's error says.
  ChatResult complete(const ChatRequest& request) const;

  // All requests, at most config.concurrency at a time; results in input order.
  // `progress(done, total)` is called (from worker threads, serialised) after each request.
  using ProgressFn = std::function<void(size_t done, size_t total)>;
  std::vector<ChatResult> complete_all(const std::vector<ChatRequest>& requests, const ProgressFn& progress = {}) const;

  const EndpointConfig& config() const { return config_; }
  const std::string& endpoint_path() const { return path_; }  // e.g. "/v1/chat/completions"

 private:
  EndpointConfig config_;
  std::string key_;
  std::string origin_;  // scheme://host[:port]
  std::string path_;
};

}  // namespace ps::teach
