// A small OpenAI-style server inside the test process (cpp-httplib), whose handler each test
// writes: for the client's retry, timeout and error paths.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ps::test {

class FakeEndpoint {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, int call)>;

  // `hang_up`: answer 413 to every request before reading its body, then close the connection
  // (a client still writing gets EPIPE / SIGPIPE).
  explicit FakeEndpoint(Handler handler, bool hang_up = false) : handler_(std::move(handler)) {
    if (hang_up) {
      server_.set_keep_alive_max_count(1);
      server_.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
        res.status = 413;
        res.set_content("too large", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      });
    }
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      handler_(req, res, ++calls_);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost (httplib checks is_running).
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeEndpoint() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }
  int calls() const { return calls_; }

  // A chat completion body with this content (and reasoning_content when non-empty).
  static std::string completion(const std::string& content, const std::string& finish_reason = "stop",
                                const std::string& reasoning = "") {
    nlohmann::json msg{{"role", "assistant"}, {"content", content}};
    if (!reasoning.empty()) msg["reasoning_content"] = reasoning;
    return nlohmann::json{{"id", "x"},
                          {"object", "chat.completion"},
                          {"choices", {{{"index", 0}, {"message", msg}, {"finish_reason", finish_reason}}}}}
        .dump();
  }

 private:
  Handler handler_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> calls_{0};
};

}  // namespace ps::test
