#include "teach/endpoint_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/text.h"

namespace ps::teach {

using nlohmann::json;

namespace {

struct ParsedUrl {
  std::string origin;  // scheme://host[:port]
  std::string path;    // the chat completions path
};

// "" when fine, else what is wrong.
std::string parse_url(const std::string& url, ParsedUrl& out) {
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return "expected http://host[:port][/prefix] or https://..., got '" + url + "'";
  const std::string scheme = url.substr(0, sep);
  if (scheme != "http" && scheme != "https") return "the scheme must be http or https, got '" + scheme + "'";
  const size_t slash = url.find('/', sep + 3);
  const std::string hostport = url.substr(sep + 3, slash == std::string::npos ? std::string::npos : slash - sep - 3);
  if (hostport.empty()) return "no host in '" + url + "'";
  if (hostport.find('@') != std::string::npos) return "credentials in the URL are not supported; use api_key_env or api_key_file";
  if (url.find_first_of("?# \t\r\n") != std::string::npos) return "query strings, fragments and spaces are not supported in '" + url + "'";
  const size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    const std::string port = hostport.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stol(port) > 65535 ||
        std::stol(port) == 0)
      return "bad port '" + port + "' in '" + url + "'";
  }
  out.origin = scheme + "://" + hostport;
  std::string path = slash == std::string::npos ? "" : url.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const std::string suffix = "/chat/completions";
  if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
    out.path = path;
  else
    out.path = (path.empty() ? "/v1" : path) + suffix;
  return "";
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Seconds from a Retry-After value (delta-seconds or an HTTP date); negative when absent/unreadable.
double retry_after_seconds(const std::string& v) {
  const std::string s = trim(v);
  if (s.empty()) return -1;
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(x)) return std::max(0.0, x);
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return -1;
  const time_t when = timegm(&tm);
  return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

// At most `limit` bytes of a server's text for a message: one line, valid UTF-8 (a byte that does
// not start a valid sequence becomes U+FFFD; the cut never splits a character), "..." when cut.
std::string snippet(const std::string& body, size_t limit = 300) {
  std::string s;
  size_t i = 0;
  while (i < body.size()) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    const size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    const bool ok = i + len <= body.size() && find_invalid_utf8(body.substr(i, len)) == std::string::npos;
    const std::string ch = ok ? body.substr(i, len) : std::string("\xEF\xBF\xBD");
    if (s.size() + ch.size() > limit) return s + "...";
    s += (ch == "\n" || ch == "\r") ? std::string(" ") : ch;
    i += ok ? len : 1;
  }
  return s;
}


// A write to a socket the server has closed raises SIGPIPE in the writing thread, which kills
// the process by default. For the guard's lifetime SIGPIPE is blocked in this thread; one raised
// meanwhile is consumed, and the write fails with EPIPE instead, which the client reports as a
// connection error.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old_, SIGPIPE)) {
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_;
};

void check(bool ok, const std::string& field, const std::string& message) {
  if (!ok) throw Error("endpoint: " + field + " " + message);
}

}  // namespace

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "[REDACTED]");
    pos += 10;
  }
  return text;
}

std::string error_response_message(const std::string& body, const std::string& key) {
  // Redact before cutting: a cut through the key would leave a piece of it.
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return snippet(redact(e["message"].get<std::string>(), key));
    if (e.is_string()) return snippet(redact(e.get<std::string>(), key));
  }
  return snippet(redact(body, key));
}

void read_chat_response(const std::string& body, const std::string& where_to, const std::string& key, ChatResult& r) {
  json j = json::parse(body, nullptr, false);
  const json* msg = nullptr;
  if (!j.is_discarded() && j.is_object() && j.contains("choices") && j["choices"].is_array() && !j["choices"].empty() &&
      j["choices"][0].is_object() && j["choices"][0].contains("message") && j["choices"][0]["message"].is_object())
    msg = &j["choices"][0]["message"];
  if (!msg) {
    r.text.clear();
    r.finish_reason.clear();
    r.error = redact("endpoint: the response of " + where_to + " has no choices[0].message: ", key) +
              snippet(redact(body, key));
    return;
  }
  std::string content, reasoning;
  if (msg->contains("content") && (*msg)["content"].is_string()) content = (*msg)["content"].get<std::string>();
  for (const char* name : {"reasoning_content", "reasoning"})
    if (reasoning.empty() && msg->contains(name) && (*msg)[name].is_string()) reasoning = (*msg)[name].get<std::string>();
  if (!reasoning.empty() && content.find("</think>") == std::string::npos)
    content = "<think>\n" + reasoning + "\n</think>\n" + content;
  r.text = redact(content, key);
  r.finish_reason.clear();
  const json& choice = j["choices"][0];
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    r.finish_reason = redact(choice["finish_reason"].get<std::string>(), key);
  r.error.clear();
}

void EndpointConfig::validate() const {
  check(!url.empty(), "url", "is required (e.g. http://127.0.0.1:8000/v1)");
  ParsedUrl parsed;
  const std::string why = parse_url(url, parsed);
  check(why.empty(), "url", why);
  check(!model.empty(), "model", "is required");
  check(api_key_env.empty() || api_key_file.empty(), "api_key_env/api_key_file", "give at most one of them");
  check(api_key_env.find_first_of("= \t\n") == std::string::npos, "api_key_env",
        "must be the NAME of an environment variable (it holds '=' or spaces); never put the key itself in a config");
  check(std::isfinite(temperature) && temperature >= 0 && temperature <= 2, "temperature",
        "must be in [0, 2], got " + std::to_string(temperature));
  check(max_tokens >= 1, "max_tokens", "must be >= 1, got " + std::to_string(max_tokens));
  check(concurrency >= 1 && concurrency <= 256, "concurrency", "must be in [1, 256], got " + std::to_string(concurrency));
  check(std::isfinite(timeout_seconds) && timeout_seconds > 0 && timeout_seconds <= 3600, "timeout_seconds",
        "must be in (0, 3600], got " + std::to_string(timeout_seconds));
  check(max_retries >= 0 && max_retries <= 20, "max_retries", "must be in [0, 20], got " + std::to_string(max_retries));
  check(std::isfinite(backoff_initial_seconds) && backoff_initial_seconds >= 0 && backoff_initial_seconds <= 600,
        "backoff_initial_seconds", "must be in [0, 600], got " + std::to_string(backoff_initial_seconds));
  check(std::isfinite(backoff_max_seconds) && backoff_max_seconds >= backoff_initial_seconds && backoff_max_seconds <= 3600,
        "backoff_max_seconds", "must be in [backoff_initial_seconds, 3600], got " + std::to_string(backoff_max_seconds));
}

EndpointConfig EndpointConfig::from_json(const json& j, const std::string& source) {
  if (!j.is_object()) throw Error(where(source, 0, "endpoint: expected a JSON object"));
  EndpointConfig c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    auto want = [&](bool ok, const char* what) {
      if (!ok) throw Error(where(source, 0, "endpoint: " + k + ": expected " + what + ", got " + v.dump()));
    };
    if (k == "url" || k == "model" || k == "api_key_env" || k == "api_key_file") {
      want(v.is_string(), "a string");
      (k == "url" ? c.url : k == "model" ? c.model : k == "api_key_env" ? c.api_key_env : c.api_key_file) = v.get<std::string>();
    } else if (k == "temperature" || k == "timeout_seconds" || k == "backoff_initial_seconds" || k == "backoff_max_seconds") {
      want(v.is_number(), "a number");
      (k == "temperature" ? c.temperature
       : k == "timeout_seconds" ? c.timeout_seconds
       : k == "backoff_initial_seconds" ? c.backoff_initial_seconds
                                        : c.backoff_max_seconds) = v.get<double>();
    } else if (k == "max_tokens") {
      want(v.is_number_integer(), "an integer");
      c.max_tokens = v.get<int64_t>();
    } else if (k == "concurrency" || k == "max_retries") {
      want(v.is_number_integer() && std::llabs(v.get<int64_t>()) < (1 << 20), "an integer");
      (k == "concurrency" ? c.concurrency : c.max_retries) = static_cast<int>(v.get<int64_t>());
    } else if (k == "api_key") {
      throw Error(where(source, 0, "endpoint: api_key: keys are never read from configs; use api_key_env or api_key_file"));
    } else {
      throw Error(where(source, 0, "endpoint: unknown field '" + k + "'"));
    }
  }
  try {
    c.validate();
  } catch (const Error& e) {
    throw Error(where(source, 0, e.what()));
  }
  return c;
}

json EndpointConfig::to_json() const {
  return json{{"url", url},
              {"model", model},
              {"api_key_env", api_key_env},
              {"api_key_file", api_key_file},
              {"temperature", temperature},
              {"max_tokens", max_tokens},
              {"concurrency", concurrency},
              {"timeout_seconds", timeout_seconds},
              {"max_retries", max_retries},
              {"backoff_initial_seconds", backoff_initial_seconds},
              {"backoff_max_seconds", backoff_max_seconds}};
}

std::string resolve_api_key(const EndpointConfig& config) {
  if (!config.api_key_env.empty()) {
    const char* v = std::getenv(config.api_key_env.c_str());
    if (!v || trim(v).empty())
      throw Error("endpoint: api_key_env: the environment variable " + config.api_key_env + " is not set or empty");
    return trim(v);
  }
  if (!config.api_key_file.empty()) {
    const std::string& f = config.api_key_file;
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) throw Error("endpoint: api_key_file: " + f + " does not exist or cannot be read");
    if (!S_ISREG(st.st_mode)) throw Error("endpoint: api_key_file: " + f + " is not a regular file");
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      throw Error("endpoint: api_key_file: " + f + " has mode " + mode +
                  "; a key file must be readable by its owner only (mode 0600 or stricter: chmod 600 " + f + ")");
    }
    std::ifstream in(f, std::ios::binary);
    if (!in) throw Error("endpoint: api_key_file: " + f + " cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string key = trim(ss.str());
    if (key.empty()) throw Error("endpoint: api_key_file: " + f + " is empty");
    if (key.find_first_of("\r\n") != std::string::npos)
      throw Error("endpoint: api_key_file: " + f + " holds more than one line; it must hold the key only");
    return key;
  }
  return "";
}

EndpointClient::EndpointClient(EndpointConfig config) : config_(std::move(config)) {
  config_.validate();
  ParsedUrl parsed;
  parse_url(config_.url, parsed);
  origin_ = parsed.origin;
  path_ = parsed.path;
  key_ = resolve_api_key(config_);
  if (key_.find_first_of("\r\n") != std::string::npos) throw Error("endpoint: the API key holds a line break");
}

ChatResult EndpointClient::complete(const ChatRequest& request) const {
  const SigpipeGuard no_sigpipe;
  const auto t0 = std::chrono::steady_clock::now();
  ChatResult r;
  r.id = request.id;
  auto elapsed = [&t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

  json messages = json::array();
  for (const auto& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  const json body_json{{"model", config_.model},
                       {"messages", messages},
                       {"temperature", config_.temperature},
                       {"max_tokens", config_.max_tokens},
                       {"stream", false}};
  const std::string body = body_json.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string where_to = origin_ + path_;

  httplib::Client http(origin_);
  if (!http.is_valid()) {
    r.error = "endpoint: cannot make an HTTP client for " + origin_;
    return r;
  }
  const auto to = std::chrono::duration<double>(config_.timeout_seconds);
  http.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(to));
  http.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(to));
  http.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(to));
  http.set_keep_alive(false);
  if (origin_.rfind("https://", 0) == 0) {
    std::ifstream ca("/etc/ssl/certs/ca-certificates.crt");
    if (ca) http.set_ca_cert_path("/etc/ssl/certs/ca-certificates.crt");
  }
  httplib::Headers headers{{"Accept", "application/json"}};
  if (!key_.empty()) headers.emplace("Authorization", "Bearer " + key_);

  std::mt19937_64 rng(std::random_device{}() ^ std::hash<std::string>()(request.id));
  const int max_attempts = 1 + config_.max_retries;
  std::string last_error;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    r.attempts = attempt;
    const double started = elapsed();
    httplib::Result res = http.Post(path_, headers, body, "application/json");
    double retry_after = -1;
    bool retryable = false;
    if (!res) {
      const httplib::Error err = res.error();
      const double took = elapsed() - started;
      r.http_status = 0;
      if ((err == httplib::Error::Read || err == httplib::Error::ConnectionTimeout) &&
          took >= 0.9 * config_.timeout_seconds) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", config_.timeout_seconds);
        last_error = "no response from " + where_to + " within timeout_seconds = " + buf + " (timed out)";
      } else {
        last_error = "cannot reach " + where_to + ": " + httplib::to_string(err) + " error";
      }
      retryable = err != httplib::Error::SSLServerVerification && err != httplib::Error::SSLLoadingCerts;
    } else {
      r.http_status = res->status;
      if (res->status >= 200 && res->status < 300) {
        read_chat_response(res->body, where_to, key_, r);
        r.seconds = elapsed();
        return r;
      }
      last_error = "HTTP " + std::to_string(res->status) + " from " + where_to + ": " + error_response_message(res->body, key_);
      retryable = res->status == 429 || res->status >= 500;
      if (retryable && res->has_header("Retry-After")) retry_after = retry_after_seconds(res->get_header_value("Retry-After"));
    }
    last_error = redact(last_error, key_);
    if (!retryable) {
      r.error = "endpoint: " + last_error + " (not retried)";
      r.seconds = elapsed();
      return r;
    }
    if (attempt == max_attempts) break;
    double wait;
    if (retry_after >= 0) {
      wait = retry_after;
    } else {
      const double base = config_.backoff_initial_seconds * std::pow(2.0, attempt - 1);
      wait = std::min(base, config_.backoff_max_seconds);
      wait = wait * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
    }
    wait = std::min(wait, config_.backoff_max_seconds);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  r.error = "endpoint: gave up after " + std::to_string(r.attempts) + " attempt" + (r.attempts == 1 ? "" : "s") + ": " +
            last_error;
  r.seconds = elapsed();
  return r;
}

std::vector<ChatResult> EndpointClient::complete_all(const std::vector<ChatRequest>& requests,
                                                     const ProgressFn& progress) const {
  std::vector<ChatResult> results(requests.size());
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::mutex mu;
  std::exception_ptr progress_error;
  auto worker = [&] {
    while (true) {
      const size_t i = next++;
      if (i >= requests.size()) return;
      try {
        results[i] = complete(requests[i]);
      } catch (const std::exception& e) {
        results[i].id = requests[i].id;
        results[i].error = redact(std::string("endpoint: ") + e.what(), key_);
      }
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (progress && !progress_error) {
        try {
          progress(done, requests.size());
        } catch (...) {
          progress_error = std::current_exception();  // rethrown on the caller's thread
        }
      }
    }
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(config_.concurrency), requests.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (progress_error) std::rethrow_exception(progress_error);
  return results;
}

}  // namespace ps::teach
