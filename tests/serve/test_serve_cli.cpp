// perturbscope-cli serve on 127.0.0.1 with the tiny-qwen3 fixture, driven over HTTP as a client
// would. Greedy tokens are checked against Hugging Face's own generation (golden_greedy.jsonl)
// and against lm::generate on the same prompt ids.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "lm/generate.h"
#include "lm/model.h"
#include "lm/tokenizer/chat_template.h"
#include "lm/tokenizer/tokenizer.h"
#include "scratch.h"
#include "serve_child.h"

using nlohmann::json;

namespace {

std::vector<json> golden_greedy(const std::string& model) {
  std::vector<json> out;
  std::ifstream in(ps::test::serve_fixture("tiny-qwen3") + "/golden_greedy.jsonl");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) {
      json j = json::parse(line);
      if (j["model"] == model) out.push_back(j);
    }
  return out;
}

std::vector<int64_t> token_ids_of(const json& names) {
  std::vector<int64_t> ids;
  for (const auto& n : names) {
    const std::string s = n.get<std::string>();
    EXPECT_EQ(s.rfind("token_id:", 0), 0u) << s;
    ids.push_back(std::stoll(s.substr(9)));
  }
  return ids;
}

class ServeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // this test's own httplib clients write to servers that hang up
    model_dir_ = ps::test::serve_fixture("tiny-qwen3");
    if (model_dir_.empty()) return;
    model_dir_ += "/untied";
    tokenizer_ = ps::test::tiny_tokenizer(ps::test::scratch_dir("serve") / "tok");
    child_ = new ps::test::ServeChild();
    // A wide batch window, so that requests sent together surely meet in one batch.
    started_ = child_->start({"--model", model_dir_, "--tokenizer", tokenizer_, "--max-batch", "4",
                              "--batch-window-ms", "400", "--max-request-bytes", "4096"});
  }
  static void TearDownTestSuite() {
    if (child_) {
      const int rc = child_->stop(SIGTERM);
      EXPECT_EQ(rc, 0) << "serve did not stop cleanly on SIGTERM:\n" << child_->output();
      EXPECT_NE(child_->output().find("stopped"), std::string::npos) << child_->output();
      delete child_;
      child_ = nullptr;
    }
  }
  void SetUp() override {
    if (model_dir_.empty()) GTEST_SKIP() << "fixtures not found (set PERTURBSCOPE_FIXTURES)";
    ASSERT_TRUE(started_) << child_->output();
  }
  static httplib::Client client() {
    httplib::Client c(child_->origin());
    c.set_read_timeout(120, 0);
    return c;
  }
  static json post(const std::string& path, const json& body, int expect_status = 200) {
    auto c = client();
    auto res = c.Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(res) << "no response: " << httplib::to_string(res.error());
    if (!res) return json();
    EXPECT_EQ(res->status, expect_status) << res->body;
    return json::parse(res->body);
  }

  static std::string model_dir_, tokenizer_;
  static ps::test::ServeChild* child_;
  static bool started_;
};

std::string ServeCli::model_dir_, ServeCli::tokenizer_;
ps::test::ServeChild* ServeCli::child_ = nullptr;
bool ServeCli::started_ = false;

TEST_F(ServeCli, BindsLoopbackAndListsTheModel) {
  EXPECT_EQ(child_->host(), "127.0.0.1");
  EXPECT_GT(child_->port(), 0);
  auto c = client();
  auto res = c.Get("/v1/models");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  json j = json::parse(res->body);
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["id"], "untied");
  EXPECT_EQ(j["data"][0]["max_model_len"], 256);
}

// Issue 15: a second server on a busy port is an error, not a silent second listener sharing the
// port (cpp-httplib's SO_REUSEPORT let the kernel split requests between two models).
TEST_F(ServeCli, ABusyPortIsAnError) {
  ps::test::ServeChild second;
  EXPECT_FALSE(second.start({"--model", model_dir_, "--tokenizer", tokenizer_, "--port", std::to_string(child_->port())},
                            {}, 60))
      << second.output();
  EXPECT_EQ(second.stop(), 1) << second.output();
  EXPECT_NE(second.output().find("cannot bind"), std::string::npos) << second.output();
}

// Token-id prompts through /v1/completions give Hugging Face's greedy tokens.
TEST_F(ServeCli, CompletionsReproduceHuggingFaceGreedy) {
  for (const json& rec : golden_greedy("untied")) {
    const auto want = rec["generated_ids"].get<std::vector<int64_t>>();
    json j = post("/v1/completions", {{"model", "untied"},
                                       {"prompt", rec["prompt_ids"]},
                                       {"max_tokens", want.size()},
                                       {"temperature", 0},
                                       {"logprobs", 0},
                                       {"return_tokens_as_token_ids", true}});
    ASSERT_EQ(j["choices"].size(), 1u) << j.dump();
    const json& ch = j["choices"][0];
    EXPECT_EQ(token_ids_of(ch["logprobs"]["tokens"]), want) << rec["name"];
    ASSERT_EQ(ch["logprobs"]["token_logprobs"].size(), want.size());
    for (const auto& lp : ch["logprobs"]["token_logprobs"]) EXPECT_LE(lp.get<double>(), 0.0);
    EXPECT_EQ(ch["finish_reason"], "length");  // the fixture has no eos id
    EXPECT_EQ(j["usage"]["prompt_tokens"], rec["prompt_ids"].size());
    EXPECT_EQ(j["usage"]["completion_tokens"], want.size());
    EXPECT_EQ(j["usage"]["total_tokens"], rec["prompt_ids"].size() + want.size());
    EXPECT_EQ(j["object"], "text_completion");
  }
}

// A chat completion with logprobs: the same tokens and log-probs as lm::generate on the chat
// template's ids, run here in-process.
TEST_F(ServeCli, ChatLogprobsEqualGenerate) {
  const std::vector<ps::tokenizer::ChatMessage> messages{{"system", "You are terse.", std::nullopt},
                                                         {"user", "hello world, is GATA1 expressed?", std::nullopt}};
  json jm = json::array();
  for (const auto& m : messages) jm.push_back({{"role", m.role}, {"content", m.content}});
  json j = post("/v1/chat/completions", {{"model", "untied"},
                                          {"messages", jm},
                                          {"max_tokens", 20},
                                          {"temperature", 0},
                                          {"logprobs", true},
                                          {"top_logprobs", 0},
                                          {"return_tokens_as_token_ids", true}});
  ASSERT_EQ(j["choices"].size(), 1u) << j.dump();
  const json& ch = j["choices"][0];
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(ch["message"]["role"], "assistant");

  auto tok = ps::tokenizer::Tokenizer::from_file(tokenizer_);
  std::vector<int64_t> prompt;
  for (int32_t id : tok.encode(ps::tokenizer::apply_qwen3_chat_template(messages))) prompt.push_back(id);
  const auto model = ps::lm::Model::load(model_dir_);
  ps::lm::GenerationConfig cfg;
  cfg.max_new_tokens = 20;
  const ps::lm::Generation g = ps::lm::generate(model, {prompt}, cfg)[0];

  const json& content = ch["logprobs"]["content"];
  std::vector<json> tokens(content.begin(), content.end());
  json names = json::array();
  for (const auto& t : tokens) names.push_back(t["token"]);
  EXPECT_EQ(token_ids_of(names), g.ids);
  ASSERT_EQ(tokens.size(), g.logprobs.size());
  for (size_t t = 0; t < tokens.size(); ++t) EXPECT_NEAR(tokens[t]["logprob"].get<double>(), g.logprobs[t], 1e-4) << t;
  EXPECT_EQ(j["usage"]["prompt_tokens"], prompt.size());
  EXPECT_EQ(j["usage"]["completion_tokens"], 20);

  // Without token ids the token names are the tokens' text, and the content is their decoding.
  json k = post("/v1/chat/completions",
                {{"model", "untied"}, {"messages", jm}, {"max_tokens", 20}, {"temperature", 0}, {"logprobs", true}});
  std::vector<int32_t> ids32(g.ids.begin(), g.ids.end());
  EXPECT_EQ(k["choices"][0]["message"]["content"], tok.decode(ids32, /*skip_special=*/true));
  std::string bytes;
  for (const auto& t : k["choices"][0]["logprobs"]["content"])
    for (const auto& b : t["bytes"]) bytes.push_back(static_cast<char>(b.get<int>()));
  std::string want_bytes;
  for (int32_t id : ids32) want_bytes += tok.token_bytes(id);
  EXPECT_EQ(bytes, want_bytes);
}

// Two requests sent together are run as one batch (the server logs it), each still getting
// exactly its own greedy tokens (different prompt lengths: left padding must not leak).
TEST_F(ServeCli, ConcurrentRequestsAreBatched) {
  const auto golden = golden_greedy("untied");
  ASSERT_GE(golden.size(), 3u);
  const json& a = golden[1];  // 5 prompt tokens
  const json& b = golden[2];  // 17 prompt tokens
  auto ask = [](const json& rec) {
    return post("/v1/completions", {{"model", "untied"},
                                    {"prompt", rec["prompt_ids"]},
                                    {"max_tokens", 24},
                                    {"temperature", 0},
                                    {"logprobs", 0},
                                    {"return_tokens_as_token_ids", true}});
  };
  // On a loaded machine two "simultaneous" requests can still arrive more than the batching
  // window apart: try a few times; every attempt must give the golden tokens, one must batch.
  std::string log;
  bool batched = false;
  for (int attempt = 0; attempt < 4 && !batched; ++attempt) {
    const size_t log_before = child_->output().size();
    auto fa = std::async(std::launch::async, ask, a);
    auto fb = std::async(std::launch::async, ask, b);
    json ja = fa.get(), jb = fb.get();
    EXPECT_EQ(token_ids_of(ja["choices"][0]["logprobs"]["tokens"]), a["generated_ids"].get<std::vector<int64_t>>());
    EXPECT_EQ(token_ids_of(jb["choices"][0]["logprobs"]["tokens"]), b["generated_ids"].get<std::vector<int64_t>>());
    log = child_->output().substr(log_before);
    batched = log.find("batch of 2 requests, 2 rows") != std::string::npos;
  }
  EXPECT_TRUE(batched) << log;

  // n = 2 greedy choices are two rows of one request, identical.
  json jn = post("/v1/completions", {{"model", "untied"}, {"prompt", a["prompt_ids"]}, {"max_tokens", 6},
                                     {"temperature", 0}, {"n", 2}});
  ASSERT_EQ(jn["choices"].size(), 2u);
  EXPECT_EQ(jn["choices"][0]["text"], jn["choices"][1]["text"]);
  EXPECT_EQ(jn["choices"][1]["index"], 1);
  EXPECT_EQ(jn["usage"]["completion_tokens"], 12);
}

TEST_F(ServeCli, SampledRequestsAreReproducibleWithASeed) {
  json body{{"model", "untied"}, {"prompt", json::array({1, 2, 3})}, {"max_tokens", 12}, {"temperature", 1.0},
            {"top_p", 0.9}, {"seed", 7}, {"return_tokens_as_token_ids", true}, {"logprobs", 0}};
  json x = post("/v1/completions", body), y = post("/v1/completions", body);
  EXPECT_EQ(x["choices"][0]["logprobs"]["tokens"], y["choices"][0]["logprobs"]["tokens"]);
}

TEST_F(ServeCli, StopStringsCutTheText) {
  json base{{"model", "untied"}, {"prompt", "hello world"}, {"max_tokens", 30}, {"temperature", 0}};
  json full = post("/v1/completions", base);
  const std::string text = full["choices"][0]["text"];
  size_t p = 1;
  while (p < text.size() && !(text[p] > ' ' && text[p] < 127)) ++p;
  ASSERT_LT(p, text.size()) << "no ASCII character to stop at in '" << text << "'";
  const std::string stop = text.substr(p, 1);
  json cut = base;
  cut["stop"] = stop;
  json j = post("/v1/completions", cut);
  const std::string got = j["choices"][0]["text"];
  EXPECT_EQ(got, text.substr(0, text.find(stop)));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
}

void expect_error(const json& j, const std::string& param) {
  ASSERT_TRUE(j.contains("error")) << j.dump();
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  EXPECT_TRUE(j["error"]["type"].is_string());
  if (param.empty()) EXPECT_TRUE(j["error"]["param"].is_null()) << j.dump();
  else EXPECT_EQ(j["error"]["param"], param) << j.dump();
}

TEST_F(ServeCli, BadRequestsGet400NamingTheField) {
  auto c = client();
  auto res = c.Post("/v1/chat/completions", "{\"model\": \"untied\", \"messages\": [", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  json j = json::parse(res->body);
  expect_error(j, "");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("not valid JSON"), std::string::npos);

  const json msgs = json::array({{{"role", "user"}, {"content", "hi"}}});
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"temperature", "hot"}}, 400),
               "temperature");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"temperature", 3}}, 400),
               "temperature");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"max_tokens", 100000}}, 400),
               "max_tokens");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"max_tokens", 0}}, 400),
               "max_tokens");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"n", 5}}, 400), "n");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", "hi"}}, 400), "messages");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}}, 400), "messages");
  expect_error(post("/v1/chat/completions",
                    {{"model", "untied"}, {"messages", json::array({{{"role", "robot"}, {"content", "hi"}}})}}, 400),
               "messages[0].role");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"stream", true}}, 400),
               "stream");
  expect_error(post("/v1/chat/completions", {{"model", "untied"}, {"messages", msgs}, {"top_logprobs", 3}}, 400),
               "top_logprobs");
  expect_error(post("/v1/chat/completions", {{"messages", msgs}}, 400), "model");
  expect_error(post("/v1/chat/completions", {{"model", "gpt-4"}, {"messages", msgs}}, 404), "model");
  expect_error(post("/v1/completions", {{"model", "untied"}, {"prompt", json::array({1, 999})}}, 400), "prompt");
  expect_error(post("/v1/completions", {{"model", "untied"}, {"prompt", 5}}, 400), "prompt");
  expect_error(post("/v1/completions", {{"model", "untied"}, {"prompt", "x"}, {"stop", json::array({1})}}, 400), "stop");
  expect_error(post("/v1/completions", {{"model", "untied"}, {"prompt", "x"}, {"seed", -1}}, 400), "seed");
  expect_error(post("/v1/completions", {{"model", "untied"}, {"prompt", "x"}, {"logprobs", 9}}, 400), "logprobs");

  auto nf = c.Get("/v1/nothing");
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  expect_error(json::parse(nf->body), "");

  // Still serving.
  auto ok = c.Get("/v1/models");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServeCli, OversizeBodyGets413) {
  auto c = client();
  json body{{"model", "untied"}, {"prompt", std::string(10000, 'a')}, {"max_tokens", 1}};
  auto res = c.Post("/v1/completions", body.dump(), "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 413);
  json j = json::parse(res->body);
  expect_error(j, "");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("4096"), std::string::npos) << j.dump();
  auto ok = client().Get("/v1/models");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

// A chunked body has no length to check before reading it: refused unread (411).
TEST_F(ServeCli, ChunkedBodyGets411) {
  // The server answers 411 and closes without reading: a client still writing its chunks can see
  // its write fail before it reads the answer (a race of the test, not of the server), so the
  // body is one small chunk and a failed write is retried.
  const std::string body = json{{"model", "untied"}, {"prompt", "a"}}.dump();
  auto send = [&body] {
    auto c = client();
    return c.Post(
        "/v1/completions",
        [&body](size_t offset, httplib::DataSink& sink) {
          if (offset < body.size()) sink.write(body.data() + offset, body.size() - offset);
          else sink.done();
          return true;
        },
        "application/json");
  };
  auto res = send();
  for (int attempt = 1; attempt < 5 && !res && res.error() == httplib::Error::Write; ++attempt) res = send();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 411);
  expect_error(json::parse(res->body), "");
  auto ok = client().Get("/v1/models");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

// One raw HTTP exchange on loopback: sends `request` as it is (no body added, the socket left open
// for writing, as a client that announced a body it has not sent yet), and reads until the server closes
// or `timeout_s` passes. Returns the status (0: no response) and the body.
struct RawReply {
  int status = 0;
  std::string body;
  double seconds = 0;
};
RawReply raw_exchange(int port, const std::string& request, double timeout_s = 10) {
  RawReply r;
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{static_cast<time_t>(timeout_s), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (got.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(got.c_str() + 9);
  const size_t head_end = got.find("\r\n\r\n");
  if (head_end != std::string::npos) r.body = got.substr(head_end + 4);
  return r;
}

std::string raw_post(const std::string& headers, const std::string& body) {
  return "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n" + body;
}

// A body announced far past the limit (and never sent) is answered 413 at once, with a JSON
// error body: not read, not waited for until the read timeout, the connection not just closed.
TEST_F(ServeCli, HugeContentLengthGets413AtOnce) {
  for (const std::string length : {"99999999999", "99999999999999999999999999999", "4097"}) {
    SCOPED_TRACE(length);
    const RawReply r =
        raw_exchange(child_->port(), raw_post("Content-Type: application/json\r\nContent-Length: " + length + "\r\n", ""));
    ASSERT_EQ(r.status, 413) << "reply after " << r.seconds << " s: " << r.body;
    EXPECT_LT(r.seconds, 5) << "the server waited for the announced body";
    json j = json::parse(r.body);
    expect_error(j, "");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("limit of 4096 bytes"), std::string::npos) << j.dump();
  }
  auto ok = client().Get("/v1/models");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

// Siblings: every body without a usable length is refused from its headers, with a JSON error.
TEST_F(ServeCli, BodiesWithoutAUsableLengthAreRefusedUnread) {
  struct Case {
    std::string headers;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"Content-Type: application/json\r\n", 411, "Content-Length"},  // read until close otherwise, unbounded
      {"Content-Type: application/json\r\nContent-Length: 12abc\r\n", 400, "not a byte count"},
      {"Content-Type: application/json\r\nContent-Length: -1\r\n", 400, "not a byte count"},
      {"Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3000\r\n", 400, "more than one"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.headers);
    const RawReply r = raw_exchange(child_->port(), raw_post(c.headers, ""));
    ASSERT_EQ(r.status, c.status) << r.body;
    EXPECT_LT(r.seconds, 5);
    json j = json::parse(r.body);
    expect_error(j, "");
    EXPECT_NE(j["error"]["message"].get<std::string>().find(c.says), std::string::npos) << j.dump();
  }
}

// `curl -d` sends application/x-www-form-urlencoded, which httplib parses itself with a
// compiled-in 8 KiB limit: a 9 KB body used to get 413 saying the (8 MiB) limit was exceeded.
// Every body that is not JSON now gets 415 saying so, whatever its size; the same body sent as
// JSON is served.
TEST(ServeCliContentType, NonJsonBodiesGet415AndTheSameJsonBodyIsServed) {
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  if (fx.empty()) GTEST_SKIP() << "fixtures not found (set PERTURBSCOPE_FIXTURES)";
  const std::string tok = ps::test::tiny_tokenizer(ps::test::scratch_dir("serve_content_type") / "tok");
  ps::test::ServeChild child;  // the default --max-request-bytes (8 MiB)
  ASSERT_TRUE(child.start({"--model", fx + "/untied", "--tokenizer", tok, "--quiet"})) << child.output();
  // 9,000 bytes of valid JSON (whitespace is JSON), past httplib's 8,192-byte form limit.
  std::string body = json{{"model", "untied"}, {"prompt", "hello"}, {"max_tokens", 1}, {"temperature", 0}}.dump();
  body.insert(1, 9000 - body.size(), ' ');
  ASSERT_EQ(body.size(), 9000u);
  httplib::Client c(child.origin());
  c.set_read_timeout(120, 0);
  for (const std::string type : {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}) {
    SCOPED_TRACE(type);
    for (const std::string& b : {body, std::string("{}")}) {
      auto res = c.Post("/v1/completions", b, type.c_str());
      ASSERT_TRUE(res) << httplib::to_string(res.error());
      EXPECT_EQ(res->status, 415) << res->body;
      json j = json::parse(res->body);
      expect_error(j, "");
      const std::string msg = j["error"]["message"];
      EXPECT_NE(msg.find("Content-Type must be application/json"), std::string::npos) << msg;
      EXPECT_NE(msg.find(type.substr(0, type.find(';'))), std::string::npos) << msg;
      EXPECT_EQ(msg.find("larger"), std::string::npos) << msg;
    }
  }
  for (const std::string type : {"application/json", "Application/JSON; charset=utf-8"}) {
    auto res = c.Post("/v1/completions", body, type.c_str());
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200) << type << ": " << res->body;
  }
  EXPECT_EQ(child.stop(SIGTERM), 0) << child.output();
}

TEST(ServeCliStartup, MismatchedTokenizerIsAClearError) {
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  const std::string qtok = ps::test::serve_fixture("qwen3-tokenizer");
  if (fx.empty() || qtok.empty()) GTEST_SKIP() << "fixtures not found";
  ps::test::ServeChild child;
  EXPECT_FALSE(child.start({"--model", fx + "/tied", "--tokenizer", qtok}));
  EXPECT_EQ(child.stop(), 1);
  EXPECT_NE(child.output().find("embedding rows"), std::string::npos) << child.output();
}

}  // namespace

namespace {

TEST(ServeCliStartup, StopsCleanlyOnSigint) {
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  if (fx.empty()) GTEST_SKIP() << "fixtures not found";
  const std::string tok = ps::test::tiny_tokenizer(ps::test::scratch_dir("serve_sigint") / "tok");
  ps::test::ServeChild child;
  ASSERT_TRUE(child.start({"--model", fx + "/tied", "--tokenizer", tok, "--quiet"})) << child.output();
  EXPECT_EQ(child.stop(SIGINT), 0) << child.output();
  EXPECT_NE(child.output().find("signal 2, stopping"), std::string::npos) << child.output();
}

TEST(ServeCliStartup, BadOptionsAreUsageErrors) {
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  if (fx.empty()) GTEST_SKIP() << "fixtures not found";
  ps::test::ServeChild child;
  EXPECT_FALSE(child.start({"--model", fx + "/tied", "--max-batch", "0"}));
  EXPECT_EQ(child.stop(), 2);
  EXPECT_NE(child.output().find("--max-batch must be in [1, 4096]"), std::string::npos) << child.output();
}

}  // namespace
