#include "serve/server.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "serve/batch_scheduler.h"
#include "serve/openai_api.h"

namespace ps::serve {

using nlohmann::json;

namespace {
// A Content-Length value: decimal digits only (RFC 9110 section 8.6); values past 10^18 bytes
// (any limit) saturate instead of overflowing. nullopt when it is not a number.
std::optional<uint64_t> parse_content_length(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 1000000000000000000ULL) return std::numeric_limits<uint64_t>::max();
  }
  return v;
}

// "application/json", any case, optionally with parameters ("; charset=utf-8").
bool is_json_media_type(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  size_t b = media.find_first_not_of(" \t");
  media = b == std::string::npos ? "" : media.substr(b);
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media == "application/json";
}
}  // namespace

void ServeConfig::validate() const {
  if (host.empty()) throw Error("serve: host must not be empty");
  if (port < 0 || port > 65535) throw Error("serve: port must be in [0, 65535], got " + std::to_string(port));
  if (max_batch < 1 || max_batch > 4096) throw Error("serve: max_batch must be in [1, 4096], got " + std::to_string(max_batch));
  if (!(batch_window_ms >= 0 && batch_window_ms <= 10000))
    throw Error("serve: batch_window_ms must be in [0, 10000], got " + std::to_string(batch_window_ms));
  if (max_request_bytes < 1024 || max_request_bytes > (size_t{1} << 30))
    throw Error("serve: max_request_bytes must be in [1024, 1073741824], got " + std::to_string(max_request_bytes));
  if (model_id.empty()) throw Error("serve: model_id must not be empty");
  if (http_threads < 1 || http_threads > 1024)
    throw Error("serve: http_threads must be in [1, 1024], got " + std::to_string(http_threads));
  if (read_timeout_seconds < 1 || read_timeout_seconds > 3600)
    throw Error("serve: read_timeout_seconds must be in [1, 3600], got " + std::to_string(read_timeout_seconds));
}

struct Server::Impl {
  const lm::Model& model;
  tokenizer::Tokenizer tok;
  std::vector<int64_t> stop_ids;
  ServeConfig config;
  ApiLimits limits;
  int64_t created = 0;
  httplib::Server http;
  std::unique_ptr<BatchScheduler> scheduler;
  std::atomic<bool> stopping{false};
  std::atomic<bool> run_entered{false}, listen_done{false};
  std::atomic<uint64_t> next_id{0};
  std::mutex log_mu;
  bool bound = false;

  Impl(const lm::Model& m, tokenizer::Tokenizer t, std::vector<int64_t> s, ServeConfig c)
      : model(m), tok(std::move(t)), stop_ids(std::move(s)), config(std::move(c)) {}

  void log(const std::string& line) {
    if (!config.log_requests) return;
    std::lock_guard<std::mutex> lock(log_mu);
    std::fprintf(stderr, "serve: %s\n", line.c_str());
    std::fflush(stderr);
  }

  static void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  void send_error(httplib::Response& res, int status, const std::string& message, const std::string& param = "",
                  const std::string& type = "") {
    send_json(res, status, error_body(message, type.empty() ? error_type_for_status(status) : type, param));
  }

  // The reason to refuse a request's body from its headers alone (res.status set), or "".
  std::string refuse_body(const httplib::Request& req, httplib::Response& res) const {
    if (req.has_header("Transfer-Encoding")) {
      res.status = 411;
      return "chunked request bodies are not accepted; send a Content-Length";
    }
    const bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                                 req.method == "DELETE" || req.method == "PRI";
    if (!req.has_header("Content-Length")) {
      if (!has_body_method) return "";
      res.status = 411;
      return "a " + req.method + " request needs a Content-Length header";
    }
    if (req.get_header_value_count("Content-Length") != 1) {
      res.status = 400;
      return "more than one Content-Length header";
    }
    const std::string& text = req.get_header_value("Content-Length");
    const auto length = parse_content_length(text);
    if (!length) {
      res.status = 400;
      return "Content-Length '" + text.substr(0, 40) + "' is not a byte count";
    }
    if (*length > config.max_request_bytes) {
      res.status = 413;
      return "the request body (" + text.substr(0, 40) + " bytes) is larger than this server's limit of " +
             std::to_string(config.max_request_bytes) + " bytes (--max-request-bytes)";
    }
    if (*length == 0) return "";
    const std::string type = req.get_header_value("Content-Type");
    if (!is_json_media_type(type)) {
      res.status = 415;
      return "Content-Type must be application/json, got " + (type.empty() ? std::string("none") : "'" + type.substr(0, 80) + "'") +
             " (with curl: -H 'Content-Type: application/json')";
    }
    return "";
  }

  void handle_generate(const httplib::Request& req, httplib::Response& res, Endpoint endpoint) {
    try {
      if (stopping) throw ApiError(503, "the server is shutting down");
      GenerationRequest r = endpoint == Endpoint::Chat ? parse_chat_request(req.body, tok, limits)
                                                       : parse_completion_request(req.body, tok, limits);
      lm::GenerationConfig cfg;
      cfg.max_new_tokens = r.max_tokens;
      cfg.temperature = r.temperature;
      cfg.top_p = r.top_p;
      cfg.top_k = r.top_k;
      cfg.seed = r.seed.value_or(0);
      cfg.stop_ids = stop_ids;
      cfg.stop_strings = r.stop;
      std::vector<std::vector<int64_t>> rows;
      for (const auto& p : r.prompts)
        for (int64_t k = 0; k < r.n; ++k) rows.push_back(p);
      std::future<std::vector<lm::Generation>> future;
      try {
        future = scheduler->submit(std::move(rows), cfg, r.seed.has_value());
      } catch (const Error&) {
        throw ApiError(503, "the server is shutting down");
      }
      std::vector<lm::Generation> gens;
      try {
        gens = future.get();
      } catch (const std::exception& e) {
        if (stopping) throw ApiError(503, "the server is shutting down");
        throw ApiError(500, std::string("generation failed: ") + e.what());
      }
      const uint64_t n = ++next_id;
      const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      const json body = endpoint == Endpoint::Chat
                            ? chat_response(r, gens, tok, "chatcmpl-" + std::to_string(created) + "-" + std::to_string(n), now)
                            : completion_response(r, gens, tok, "cmpl-" + std::to_string(created) + "-" + std::to_string(n), now);
      send_json(res, 200, body);
    } catch (const ApiError& e) {
      send_json(res, e.status(), e.body());
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  }
};

Server::Server(const lm::Model& model, tokenizer::Tokenizer tokenizer, std::vector<int64_t> stop_ids,
               ServeConfig config)
    : impl_(std::make_unique<Impl>(model, std::move(tokenizer), std::move(stop_ids), std::move(config))) {
  Impl& m = *impl_;
  m.config.validate();
  const lm::ModelConfig& mc = model.config();
  if (m.tok.vocab_size() > mc.vocab_size)
    throw Error("serve: the tokenizer (" + m.tok.source() + ") has ids up to " + std::to_string(m.tok.vocab_size() - 1) +
                " but the model has only " + std::to_string(mc.vocab_size) +
                " embedding rows: they do not belong together");
  for (int64_t id : m.stop_ids)
    if (id < 0 || id >= mc.vocab_size)
      throw Error("serve: stop id " + std::to_string(id) + " is outside the model's vocabulary of " +
                  std::to_string(mc.vocab_size));
  m.limits.model_id = m.config.model_id;
  m.limits.context_length = mc.max_position_embeddings;
  m.limits.vocab_size = mc.vocab_size;
  m.limits.max_rows = m.config.max_batch;
  m.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();

  BatchOptions bo;
  bo.max_batch = m.config.max_batch;
  bo.window = std::chrono::microseconds(static_cast<int64_t>(m.config.batch_window_ms * 1000));
  const tokenizer::Tokenizer tok = m.tok;
  const lm::Model* mp = &model;
  m.scheduler = std::make_unique<BatchScheduler>(
      [mp, tok](const std::vector<std::vector<int64_t>>& prompts, const lm::GenerationConfig& cfg) {
        lm::Decoder decode = [&tok](const std::vector<int64_t>& ids) { return safe_decode(tok, ids, true); };
        return lm::generate(*mp, prompts, cfg, decode);
      },
      bo,
      [this](const BatchRecord& r) {
        char line[200];
        std::snprintf(line, sizeof line, "batch of %lld request%s, %lld rows, %lld tokens in %.3f s",
                      static_cast<long long>(r.jobs), r.jobs == 1 ? "" : "s", static_cast<long long>(r.rows),
                      static_cast<long long>(r.generated_tokens), r.seconds);
        impl_->log(line);
      });

  httplib::Server& http = m.http;
  const int threads = m.config.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(m.config.max_request_bytes);
  http.set_read_timeout(static_cast<time_t>(m.config.read_timeout_seconds), 0);
  http.set_write_timeout(static_cast<time_t>(m.config.read_timeout_seconds), 0);
  // One request per connection: a refused body (411 below, 413) is never read, and its bytes must
  // not be taken for a next request; idle keep-alive connections would also hold the threads.
  // Generation dwarfs a loopback connect.
  http.set_keep_alive_max_count(1);

  // Every body is judged by its headers before httplib reads a byte of it (this handler runs
  // between the headers and the body): httplib reads chunked bodies and bodies without a length
  // whole, unbounded; it "skips" a body over the limit by reading it (a client that announces
  // 100 GB and sends nothing holds a thread until the read timeout, then is cut off); and it
  // parses form-encoded bodies itself with a compiled-in 8 KiB limit. Every OpenAI client sends
  // JSON with a Content-Length.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string verdict = impl_->refuse_body(req, res);
    if (verdict.empty()) return httplib::Server::HandlerResponse::Unhandled;
    impl_->send_error(res, res.status, verdict);
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    Impl::send_json(res, 200, models_response(impl_->limits, impl_->created));
  });
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle_generate(req, res, Endpoint::Chat);
  });
  http.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle_generate(req, res, Endpoint::Completions);
  });
  // Errors httplib answers by itself (413 body too large, 400 unreadable request, 404 no route)
  // get an OpenAI error body too; our handlers' bodies are left as they are.
  http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    if (res.status == 413)
      message = "the request body is larger than this server's limit of " +
                std::to_string(impl_->config.max_request_bytes) + " bytes (--max-request-bytes)";
    else if (res.status == 404)
      message = "no such endpoint: " + req.method + " " + req.path;
    else
      message = "HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path;
    impl_->send_error(res, res.status, message);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      // The first line only: a c10::Error's what() carries a C++ backtrace after it.
      std::string msg = e.what();
      msg = msg.substr(0, msg.find('\n'));
      what += ": " + msg;
    } catch (...) {
    }
    impl_->send_error(res, 500, what);
  });
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, with which a second server
  // binds the same port silently and the kernel splits the requests between the two.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    impl_->log(req.method + " " + req.path + " " + std::to_string(res.status));
  });
}

Server::~Server() {
  stop();
}

int Server::bind() {
  Impl& m = *impl_;
  int port = m.config.port;
  if (port == 0) {
    port = m.http.bind_to_any_port(m.config.host);
    if (port < 0) port = -1;
  } else if (!m.http.bind_to_port(m.config.host, port)) {
    port = -1;
  }
  if (port < 0)
    throw Error("serve: cannot bind " + m.config.host + ":" + std::to_string(m.config.port) +
                " (the address is in use, not local, or not allowed)");
  m.bound = true;
  return port;
}

void Server::run() {
  Impl& m = *impl_;
  if (!m.bound) throw Error("serve: run() before bind()");
  // httplib's connection threads start inside listen_after_bind() and inherit this thread's
  // signal mask: with SIGPIPE blocked there, a client that hangs up mid-response makes the
  // write fail (EPIPE) instead of killing the process.
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  m.run_entered = true;
  if (!m.stopping) m.http.listen_after_bind();
  m.listen_done = true;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  m.scheduler->stop();
}

void Server::stop() {
  if (!impl_) return;
  Impl& m = *impl_;
  m.stopping = true;
  if (m.scheduler) m.scheduler->stop();
  // httplib's stop() does nothing before its accept loop runs: when run() has passed its
  // `stopping` check, wait until the loop is up (or listening failed), then stop it.
  if (m.run_entered)
    while (!m.http.is_running() && !m.listen_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  m.http.stop();
}

const ServeConfig& Server::config() const { return impl_->config; }

}  // namespace ps::serve
