// The endpoint client against in-test servers: retries (429 + Retry-After, 5xx backoff),
// timeouts, connection errors, no retry on 401/400, reasoning folding, config validation, keys.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/text.h"
#include "fake_endpoint.h"
#include "scratch.h"
#include "teach/endpoint_client.h"

using ps::teach::ChatRequest;
using ps::teach::ChatResult;
using ps::teach::EndpointClient;
using ps::teach::EndpointConfig;
using ps::test::FakeEndpoint;

namespace {

EndpointConfig config_for(const FakeEndpoint& fake) {
  EndpointConfig c;
  c.url = fake.url();
  c.model = "teacher";
  c.timeout_seconds = 10;
  c.max_retries = 3;
  c.backoff_initial_seconds = 0.01;
  c.backoff_max_seconds = 5;
  return c;
}

ChatRequest ask(const std::string& id, const std::string& text = "Is Y DE?") {
  return {id, {{"user", text, std::nullopt}}};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "";
}

TEST(EndpointClient, RetriesA429AfterRetryAfterThenSucceeds) {
  std::string seen_auth, seen_body;
  FakeEndpoint fake([&](const httplib::Request& req, httplib::Response& res, int call) {
    if (call == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"error": {"message": "slow down"}})", "application/json");
      return;
    }
    seen_auth = req.get_header_value("Authorization");
    seen_body = req.body;
    res.set_content(FakeEndpoint::completion("<think>\nok\n</think>\n{\"de\": true, \"confidence\": 0.8}"),
                    "application/json");
  });
  ::setenv("PS_TEST_TEACH_KEY_A", "sk-test-abc", 1);
  EndpointConfig c = config_for(fake);
  c.api_key_env = "PS_TEST_TEACH_KEY_A";
  c.temperature = 0.25;
  c.max_tokens = 77;
  EndpointClient client(c);
  const ChatResult r = client.complete(ask("item-1"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(fake.calls(), 2);
  EXPECT_GE(r.seconds, 0.95);  // Retry-After: 1 was honoured (the backoff alone is 0.01 s)
  EXPECT_EQ(r.id, "item-1");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.finish_reason, "stop");
  EXPECT_EQ(r.text, "<think>\nok\n</think>\n{\"de\": true, \"confidence\": 0.8}");
  EXPECT_EQ(seen_auth, "Bearer sk-test-abc");
  const auto body = nlohmann::json::parse(seen_body);
  EXPECT_EQ(body["model"], "teacher");
  EXPECT_EQ(body["max_tokens"], 77);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.25);
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"], "Is Y DE?");
}

TEST(EndpointClient, BacksOffExponentiallyOn5xx) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int call) {
    if (call <= 2) {
      res.status = call == 1 ? 500 : 503;
      res.set_content("overloaded", "text/plain");
      return;
    }
    res.set_content(FakeEndpoint::completion("fine"), "application/json");
  });
  EndpointConfig c = config_for(fake);
  c.backoff_initial_seconds = 0.2;  // waits in [0.1, 0.2] then [0.2, 0.4]
  const ChatResult r = EndpointClient(c).complete(ask("x"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_GE(r.seconds, 0.3);
  EXPECT_LT(r.seconds, 3.0);
  EXPECT_EQ(r.text, "fine");
}

TEST(EndpointClient, GivesUpAfterItsRetries) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int) {
    res.status = 502;
    res.set_content(R"({"error": {"message": "bad gateway upstream"}})", "application/json");
  });
  EndpointConfig c = config_for(fake);
  c.max_retries = 2;
  const ChatResult r = EndpointClient(c).complete(ask("x"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(fake.calls(), 3);
  EXPECT_EQ(r.http_status, 502);
  EXPECT_NE(r.error.find("gave up after 3 attempts"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("HTTP 502"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("bad gateway upstream"), std::string::npos) << r.error;
  EXPECT_TRUE(r.text.empty());
}

TEST(EndpointClient, TimesOutWithAClearErrorAfterRetries) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content(FakeEndpoint::completion("too late"), "application/json");
  });
  EndpointConfig c = config_for(fake);
  c.timeout_seconds = 0.3;
  c.max_retries = 1;
  const auto t0 = std::chrono::steady_clock::now();
  const ChatResult r = EndpointClient(c).complete(ask("slow"));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("timeout_seconds = 0.3"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("gave up after 2 attempts"), std::string::npos) << r.error;
  EXPECT_LT(took, 1.4);  // did not wait for the slow answers
}

TEST(EndpointClient, DoesNotRetry401) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int) {
    res.status = 401;
    res.set_content(R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})",
                    "application/json");
  });
  const ChatResult r = EndpointClient(config_for(fake)).complete(ask("x"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(fake.calls(), 1);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_NE(r.error.find("HTTP 401"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Incorrect API key provided"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("not retried"), std::string::npos) << r.error;
}

TEST(EndpointClient, AMalformedSuccessIsAnErrorNotRetried) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int) {
    res.set_content(R"({"choices": []})", "application/json");
  });
  const ChatResult r = EndpointClient(config_for(fake)).complete(ask("x"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("no choices[0].message"), std::string::npos) << r.error;
}

TEST(EndpointClient, ConnectionRefusedIsRetriedThenReported) {
  int port;
  {
    FakeEndpoint gone([](const httplib::Request&, httplib::Response&, int) {});
    port = gone.port();
  }
  EndpointConfig c;
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  c.model = "m";
  c.max_retries = 2;
  c.backoff_initial_seconds = 0.01;
  const ChatResult r = EndpointClient(c).complete(ask("x"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.error.find("cannot reach http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions"),
            std::string::npos)
      << r.error;
}

// The server answers 413 and hangs up while the client may still be writing a large body: the
// client reports it (and its SIGPIPE guard keeps a write to the closed socket from killing us).
TEST(EndpointClient, AServerThatHangsUpMidUploadIsAnErrorNotACrash) {
  FakeEndpoint fake([](const httplib::Request&, httplib::Response& res, int) { res.set_content("{}", "application/json"); },
                    /*hang_up=*/true);
  EndpointConfig c = config_for(fake);
  c.max_retries = 1;
  const std::string huge(8 << 20, 'x');
  for (int i = 0; i < 3; ++i) {
    const ChatResult r = EndpointClient(c).complete(ask("big", huge));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.error.find("HTTP 413") != std::string::npos || r.error.find("cannot reach") != std::string::npos)
        << r.error;
  }
}

TEST(EndpointClient, FoldsSeparateReasoningIntoThinkTags) {
  FakeEndpoint fake([](const httplib::Request& req, httplib::Response& res, int) {
    const auto body = nlohmann::json::parse(req.body);
    const std::string q = body["messages"][0]["content"];
    if (q == "separate")
      res.set_content(FakeEndpoint::completion("{\"de\": false, \"confidence\": 0.7}", "stop", "weak evidence"),
                      "application/json");
    else  // the content already holds its reasoning: left as it is
      res.set_content(FakeEndpoint::completion("<think>\nmine\n</think>\n{}", "stop", "dup"), "application/json");
  });
  EndpointClient client(config_for(fake));
  EXPECT_EQ(client.complete(ask("a", "separate")).text,
            "<think>\nweak evidence\n</think>\n{\"de\": false, \"confidence\": 0.7}");
  EXPECT_EQ(client.complete(ask("b", "inline")).text, "<think>\nmine\n</think>\n{}");
}

TEST(EndpointClient, CompleteAllKeepsOrderAndBoundsConcurrency) {
  std::atomic<int> in_flight{0}, most{0};
  FakeEndpoint fake([&](const httplib::Request& req, httplib::Response& res, int) {
    const int now = ++in_flight;
    int m = most.load();
    while (now > m && !most.compare_exchange_weak(m, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    --in_flight;
    const auto body = nlohmann::json::parse(req.body);
    res.set_content(FakeEndpoint::completion("echo " + body["messages"][0]["content"].get<std::string>()),
                    "application/json");
  });
  EndpointConfig c = config_for(fake);
  c.concurrency = 3;
  std::vector<ChatRequest> reqs;
  for (int i = 0; i < 10; ++i) reqs.push_back(ask("r" + std::to_string(i), "q" + std::to_string(i)));
  size_t last_done = 0;
  const auto out = EndpointClient(c).complete_all(reqs, [&](size_t done, size_t total) {
    EXPECT_EQ(total, 10u);
    EXPECT_EQ(done, last_done + 1);
    last_done = done;
  });
  ASSERT_EQ(out.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(out[i].id, "r" + std::to_string(i));
    EXPECT_EQ(out[i].text, "echo q" + std::to_string(i));
  }
  EXPECT_EQ(last_done, 10u);
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2);  // requests did run side by side
}

TEST(EndpointConfig, ValidateNamesEachBadField) {
  const std::vector<std::pair<std::function<void(EndpointConfig&)>, std::string>> cases = {
      {[](EndpointConfig& c) { c.url = ""; }, "url"},
      {[](EndpointConfig& c) { c.url = "ftp://host/v1"; }, "url"},
      {[](EndpointConfig& c) { c.url = "http://host:99999/v1"; }, "url"},
      {[](EndpointConfig& c) { c.url = "http://user:pw@host/v1"; }, "url"},
      {[](EndpointConfig& c) { c.model = ""; }, "model"},
      {[](EndpointConfig& c) { c.temperature = -1; }, "temperature"},
      {[](EndpointConfig& c) { c.temperature = std::nan(""); }, "temperature"},
      {[](EndpointConfig& c) { c.max_tokens = 0; }, "max_tokens"},
      {[](EndpointConfig& c) { c.concurrency = 0; }, "concurrency"},
      {[](EndpointConfig& c) { c.timeout_seconds = 0; }, "timeout_seconds"},
      {[](EndpointConfig& c) { c.max_retries = -1; }, "max_retries"},
      {[](EndpointConfig& c) { c.backoff_initial_seconds = -0.5; }, "backoff_initial_seconds"},
      {[](EndpointConfig& c) { c.backoff_max_seconds = 0.001; }, "backoff_max_seconds"},
      {[](EndpointConfig& c) { c.api_key_env = "A"; c.api_key_file = "/x"; }, "api_key_env/api_key_file"},
      {[](EndpointConfig& c) { c.api_key_env = "sk=abc"; }, "api_key_env"},
  };
  for (const auto& [mutate, field] : cases) {
    EndpointConfig c;
    c.url = "http://127.0.0.1:8000/v1";
    c.model = "m";
    EXPECT_EQ(error_of([&] { c.validate(); }), "");
    mutate(c);
    const std::string e = error_of([&] { c.validate(); });
    EXPECT_NE(e.find("endpoint: " + field + " "), std::string::npos) << field << ": '" << e << "'";
  }
}

TEST(EndpointConfig, FromJsonRejectsKeysAndUnknownFields) {
  const auto ok = EndpointConfig::from_json(
      nlohmann::json{{"url", "https://api.example.com/v1"}, {"model", "m"}, {"concurrency", 8}}, "teacher.json");
  EXPECT_EQ(ok.concurrency, 8);
  EXPECT_EQ(EndpointConfig::from_json(ok.to_json(), "x").url, ok.url);
  EXPECT_NE(error_of([] { EndpointConfig::from_json({{"url", "http://h/v1"}, {"model", "m"}, {"api_key", "sk"}}, "t.json"); })
                .find("api_key"),
            std::string::npos);
  EXPECT_NE(error_of([] { EndpointConfig::from_json({{"url", "http://h/v1"}, {"model", "m"}, {"colour", 1}}, "t.json"); })
                .find("unknown field 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of([] { EndpointConfig::from_json({{"url", "http://h/v1"}, {"model", 3}}, "t.json"); }).find("t.json"),
            std::string::npos);
}

TEST(EndpointConfig, UrlsMapToTheChatCompletionsPath) {
  EndpointConfig c;
  c.model = "m";
  for (const auto& [url, path] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:8000/v1", "/v1/chat/completions"},
           {"http://127.0.0.1:8000/v1/", "/v1/chat/completions"},
           {"http://127.0.0.1:8000", "/v1/chat/completions"},
           {"https://api.example.com/openai/v1/chat/completions", "/openai/v1/chat/completions"}}) {
    c.url = url;
    EXPECT_EQ(EndpointClient(c).endpoint_path(), path) << url;
  }
}

TEST(EndpointKey, FileMustBeOwnerOnly) {
  const std::string f = ps::test::write_scratch_file("teach_key", "key.txt", "sk-file-key-123\n");
  EndpointConfig c;
  c.url = "http://127.0.0.1:1/v1";
  c.model = "m";
  c.api_key_file = f;
  ::chmod(f.c_str(), 0644);
  const std::string e = error_of([&] { ps::teach::resolve_api_key(c); });
  EXPECT_NE(e.find("api_key_file"), std::string::npos) << e;
  EXPECT_NE(e.find("0644"), std::string::npos) << e;
  EXPECT_NE(e.find("chmod 600"), std::string::npos) << e;
  EXPECT_EQ(e.find("sk-file-key-123"), std::string::npos) << e;
  ::chmod(f.c_str(), 0600);
  EXPECT_EQ(ps::teach::resolve_api_key(c), "sk-file-key-123");
  ::chmod(f.c_str(), 0400);
  EXPECT_EQ(ps::teach::resolve_api_key(c), "sk-file-key-123");

  c.api_key_file = f + ".missing";
  EXPECT_NE(error_of([&] { ps::teach::resolve_api_key(c); }).find("does not exist"), std::string::npos);

  c.api_key_file.clear();
  c.api_key_env = "PS_TEST_TEACH_UNSET_VARIABLE";
  ::unsetenv("PS_TEST_TEACH_UNSET_VARIABLE");
  EXPECT_NE(error_of([&] { EndpointClient client(c); }).find("PS_TEST_TEACH_UNSET_VARIABLE is not set"),
            std::string::npos);
}

TEST(EndpointKey, RedactReplacesEveryOccurrence) {
  EXPECT_EQ(ps::teach::redact("a KEY b KEYKEY", "KEY"), "a [REDACTED] b [REDACTED][REDACTED]");
  EXPECT_EQ(ps::teach::redact("nothing", ""), "nothing");
}

// The response readers on what a server may send (found by review of fuzz_endpoint_response's
// invariants; the fuzzer keeps checking them): a key straddling the 300-byte cut, invalid UTF-8 and
// a character split by the cut.
TEST(EndpointResponse, KeyCutByTheSnippetNeverLeaksAPiece) {
  const std::string key = "sk-0123456789abcdef";
  for (size_t pad = 280; pad <= 300; ++pad) {
    const std::string body = std::string(pad, 'x') + key + " tail";
    const std::string m = ps::teach::error_response_message(body, key);
    EXPECT_EQ(m.find("sk-01"), std::string::npos) << "pad " << pad << ": " << m;
    ChatResult r;
    ps::teach::read_chat_response(body, "http://h/v1/chat/completions", key, r);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error.find("sk-01"), std::string::npos) << "pad " << pad << ": " << r.error;
    // In an OpenAI error object's message too.
    const std::string obj = "{\"error\": {\"message\": \"" + std::string(pad, 'y') + key + "\"}}";
    EXPECT_EQ(ps::teach::error_response_message(obj, key).find("sk-01"), std::string::npos);
  }
}

TEST(EndpointResponse, MessagesAreValidUtf8OneLineAndBounded) {
  // Invalid bytes become U+FFFD; a 3-byte character at the cut is left out whole.
  const std::string bad = "bad \xff\xfe bytes\nnext line\r";
  EXPECT_EQ(ps::teach::error_response_message(bad, ""), "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes next line ");
  const std::string cut = std::string(299, 'a') + "\xE2\x82\xAC" + "zzz";  // the euro sign spans bytes 300..302
  const std::string m = ps::teach::error_response_message(cut, "");
  EXPECT_EQ(m, std::string(299, 'a') + "...");
  EXPECT_EQ(ps::find_invalid_utf8(m), std::string::npos);
  ChatResult r;
  ps::teach::read_chat_response("\xc3(\xa9 not json", "http://h/v1/chat/completions", "", r);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ps::find_invalid_utf8(r.error), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("has no choices[0].message"), std::string::npos);
}

TEST(EndpointResponse, ReadsContentReasoningAndFinishReason) {
  ChatResult r;
  r.error = "stale";
  ps::teach::read_chat_response(
      R"({"choices":[{"message":{"content":"yes KEY","reasoning_content":"why"},"finish_reason":"length"}]})",
      "http://h/v1/chat/completions", "KEY", r);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.text, "<think>\nwhy\n</think>\nyes [REDACTED]");
  EXPECT_EQ(r.finish_reason, "length");
  ps::teach::read_chat_response(R"({"choices":[{"message":"x"}]})", "http://h/v1/chat/completions", "", r);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.text.empty());
}

}  // namespace
