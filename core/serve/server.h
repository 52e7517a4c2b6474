// An OpenAI-compatible HTTP server over our own decoder (cpp-httplib):
//   GET  /v1/models             the one served model
//   POST /v1/chat/completions   Qwen3 chat template -> generate()   (serve/openai_api.h for fields)
//   POST /v1/completions        text or token-id prompts -> generate()
//   GET  /health                200 "ok" (for scripts that wait for the server)
// Concurrent requests are batched by serve/batch_scheduler.h: one generate() call per batch of up
// to max_batch rows with identical settings.
//
//   ps::serve::Server server(model, tokenizer, stop_ids, config);
//   int port = server.bind();   // port 0 in the config: the kernel picks a free one
//   server.run();               // blocks until stop() (from another thread or a signal watcher)
//
// Errors: bad requests get OpenAI-style JSON errors (400 naming the field, 404 unknown model or
// path, 503 while shutting down, 500 for a generation failure); a handler never lets an exception
// escape. Request bodies are never logged. Bodies are judged by their headers before any byte of
// them is read: 413 for a Content-Length above max_request_bytes, 411 for a chunked body or a POST
// without Content-Length, 400 for a Content-Length that is not a number, 415 for a body whose
// Content-Type is not application/json (curl -d sends a form type: add -H 'Content-Type:
// application/json'; this also keeps web pages from posting to a local server without a preflight).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lm/model.h"
#include "lm/tokenizer/tokenizer.h"

namespace ps::serve {

struct ServeConfig {
  std::string host = "127.0.0.1";           // the address to bind (loopback unless told otherwise)
  int port = 8000;                          // TCP port in [0, 65535]; 0: any free port (bind() returns it)
  int64_t max_batch = 8;                    // rows per generate() call; also the most rows (n · prompts) per request
  double batch_window_ms = 5;               // how long the oldest request waits for others, in [0, 10000] ms
  size_t max_request_bytes = 8u << 20;      // request bodies above it get 413; in [1 KiB, 1 GiB]
  std::string model_id;                     // the name clients send as "model" (required, non-empty)
  int http_threads = 16;                    // connection threads (each blocks on its request), in [1, 1024]
  int64_t read_timeout_seconds = 30;        // per socket read/write, in [1, 3600]
  bool log_requests = true;                 // one stderr line per request and per batch (never bodies)
  // Every bad field is a ps::Error naming it ("serve: max_batch must be >= 1, got 0").
  void validate() const;
};

class Server {
 public:
  // `model` must outlive the server; generate() runs on one scheduler thread. `stop_ids` end a row
  // (lm::default_stop_ids). Throws ps::Error for a bad config or a tokenizer whose ids do not fit
  // the model's vocabulary.
  Server(const lm::Model& model, tokenizer::Tokenizer tokenizer, std::vector<int64_t> stop_ids, ServeConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port and returns the bound port. ps::Error when the address cannot be bound.
  int bind();
  // Serves until stop(); returns after the in-flight requests were answered. Call after bind().
  void run();
  // Thread-safe, idempotent; queued requests are answered 503.
  void stop();

  const ServeConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ps::serve
