// The endpoint teacher: counts and the keep rule on a scripted server; the client and teacher
// against the real `perturbscope-cli serve` on loopback; and a secret key that must never show
// up in anything the client, the teacher or the server write.
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>

#include <gtest/gtest.h>

#include "common/error.h"
#include "fake_endpoint.h"
#include "scratch.h"
#include "serve_child.h"
#include "teach/endpoint_teacher.h"

using ps::teach::EndpointConfig;
using ps::teach::EndpointTeacher;
using ps::teach::TeacherItem;
using ps::teach::TeacherRun;
using ps::test::FakeEndpoint;

namespace {

TeacherItem item(const std::string& id, const std::string& question, int label) {
  return {id, {{"system", "Answer with JSON.", std::nullopt}, {"user", question, std::nullopt}}, label};
}

// Answers by the question: a scripted mix of right, wrong, unparseable, truncated and failed.
void scripted(const httplib::Request& req, httplib::Response& res, int) {
  const auto body = nlohmann::json::parse(req.body);
  const std::string q = body["messages"][1]["content"];
  const std::string yes = "<think>\nX and Y share a pathway.\n</think>\n{\"de\": true, \"confidence\": 0.9}";
  if (q == "say-yes") {
    res.set_content(FakeEndpoint::completion(yes), "application/json");
  } else if (q == "say-no-split") {
    res.set_content(FakeEndpoint::completion("{\"de\": false, \"confidence\": 0.7}", "stop", "no shared evidence"),
                    "application/json");
  } else if (q == "prose") {
    res.set_content(FakeEndpoint::completion("I think it is DE."), "application/json");
  } else if (q == "cut") {
    res.set_content(FakeEndpoint::completion("<think>\nlong reasoning that never", "length"), "application/json");
  } else {
    res.status = 400;
    res.set_content(R"({"error": {"message": "context length exceeded"}})", "application/json");
  }
}

std::vector<TeacherItem> scripted_items() {
  return {item("a", "say-yes", 1), item("b", "say-yes", 0), item("c", "prose", 1),
          item("d", "bad", 0),     item("e", "say-no-split", 0), item("f", "cut", 1)};
}

TEST(EndpointTeacher, KeepsOnlyParseableCorrectTracesAndCountsTheRest) {
  FakeEndpoint fake(scripted);
  EndpointConfig c;
  c.url = fake.url();
  c.model = "teacher";
  c.backoff_initial_seconds = 0.01;
  const TeacherRun run = EndpointTeacher(c).run(scripted_items());
  EXPECT_EQ(run.counts.requested, 6);
  EXPECT_EQ(run.counts.made, 5);
  EXPECT_EQ(run.counts.failed, 1);
  EXPECT_EQ(run.counts.unparseable, 2);
  EXPECT_EQ(run.counts.wrong, 1);
  EXPECT_EQ(run.counts.correct, 2);
  EXPECT_EQ(run.counts.kept, 2);
  EXPECT_EQ(run.counts.unparseable_by_reason.at("no_think_end"), 1);
  EXPECT_EQ(run.counts.unparseable_by_reason.at("truncated"), 1);
  ASSERT_EQ(run.traces.size(), 6u);
  std::vector<std::string> kept;
  for (const auto& t : run.traces)
    if (t.kept) kept.push_back(t.id);
  EXPECT_EQ(kept, (std::vector<std::string>{"a", "e"}));
  const auto& e = run.traces[4];
  EXPECT_EQ(e.completion, "<think>\nno shared evidence\n</think>\n{\"de\": false, \"confidence\": 0.7}");
  EXPECT_TRUE(e.answer.ok());
  EXPECT_DOUBLE_EQ(e.answer.p_de(), 0.3);
  EXPECT_EQ(e.answer.reasoning.find("no shared evidence") != std::string::npos, true);
  const auto& d = run.traces[3];
  EXPECT_FALSE(d.made);
  EXPECT_EQ(d.attempts, 1);  // 400: not retried
  EXPECT_NE(d.error.find("context length exceeded"), std::string::npos) << d.error;
  EXPECT_FALSE(run.traces[1].kept);  // parseable but wrong
  EXPECT_TRUE(run.traces[1].answer.ok());
}

TEST(EndpointTeacher, KeepAllKeepsEveryReturnedTrace) {
  FakeEndpoint fake(scripted);
  EndpointConfig c;
  c.url = fake.url();
  c.model = "teacher";
  ps::teach::TeacherOptions opt;
  opt.keep_all = true;
  const TeacherRun run = EndpointTeacher(c, opt).run(scripted_items());
  EXPECT_EQ(run.counts.kept, 5);
  EXPECT_EQ(run.counts.correct, 2);
  EXPECT_FALSE(run.traces[3].kept);  // the failed request has no trace to keep
}

TEST(EndpointTeacher, BadItemsAreNamed) {
  EndpointConfig c;
  c.url = "http://127.0.0.1:1/v1";
  c.model = "m";
  EndpointTeacher teacher(c);
  auto error_of = [&](std::vector<TeacherItem> items) {
    try {
      teacher.run(items);
    } catch (const ps::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of({item("x", "q", 2)}).find("('x'): label must be 0 or 1, got 2"), std::string::npos);
  EXPECT_NE(error_of({item("x", "q", 1), item("x", "q", 0)}).find("duplicate id"), std::string::npos);
  EXPECT_NE(error_of({TeacherItem{"y", {}, 1}}).find("no messages"), std::string::npos);
}

// The client and the teacher against the real server, on loopback.
class TeacherAgainstServe : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string fx = ps::test::serve_fixture("tiny-qwen3");
    if (fx.empty()) GTEST_SKIP() << "fixtures not found (set PERTURBSCOPE_FIXTURES)";
    tokenizer_ = ps::test::tiny_tokenizer(ps::test::scratch_dir("teach") / "tok");
    model_ = fx + "/tied";
  }
  std::string model_, tokenizer_;
};

TEST_F(TeacherAgainstServe, RunsEveryItemThroughTheRealServer) {
  ps::test::ServeChild child;
  ASSERT_TRUE(child.start({"--model", model_, "--tokenizer", tokenizer_, "--max-batch", "4"})) << child.output();
  EndpointConfig c;
  c.url = child.origin() + "/v1";
  c.model = "tied";
  c.temperature = 0;
  c.max_tokens = 8;
  c.concurrency = 3;
  std::vector<TeacherItem> items;
  for (int i = 0; i < 5; ++i) items.push_back(item("it" + std::to_string(i), "gene " + std::to_string(i) + "?", i % 2));
  const TeacherRun run = EndpointTeacher(c).run(items);
  EXPECT_EQ(run.counts.made, 5);
  EXPECT_EQ(run.counts.failed, 0);
  // A random tiny model stops at max_tokens (it has no eos) without an answer.
  EXPECT_EQ(run.counts.unparseable, 5);
  EXPECT_EQ(run.counts.unparseable_by_reason.at("truncated"), 5);
  EXPECT_EQ(run.counts.kept, 0);
  for (const auto& t : run.traces) {
    EXPECT_EQ(t.finish_reason, "length");
    EXPECT_EQ(t.attempts, 1);
    EXPECT_TRUE(t.error.empty()) << t.error;
  }

  // The client's text is the server's content for the same request.
  httplib::Client http(child.origin());
  const nlohmann::json body{{"model", "tied"},
                            {"messages", {{{"role", "system"}, {"content", "Answer with JSON."}},
                                          {{"role", "user"}, {"content", "gene 3?"}}}},
                            {"temperature", 0},
                            {"max_tokens", 8}};
  auto res = http.Post("/v1/chat/completions", body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(run.traces[3].completion, nlohmann::json::parse(res->body)["choices"][0]["message"]["content"]);

  // A wrong model name is a 404: reported, not retried.
  c.model = "not-served";
  const auto r = ps::teach::EndpointClient(c).complete({"z", items[0].messages});
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("not-served"), std::string::npos) << r.error;
  EXPECT_EQ(child.stop(), 0) << child.output();
}

// A recognisable key, echoed back by hostile or careless servers in every way we can think of,
// must appear in nothing we return, throw or print.
TEST_F(TeacherAgainstServe, TheKeyNeverAppearsAnywhere) {
  const std::string key = "sk-ps-SECRET-7f3a9c2e1d";
  ::setenv("PS_TEST_TEACH_SECRET", key.c_str(), 1);
  std::vector<std::string> seen;  // everything to grep

  // Servers that echo the Authorization header: in a 401 body, a 429 body, a 500 body (retried),
  // and in a successful completion's content and reasoning.
  std::atomic<int> rate_limited{0};
  FakeEndpoint echo([&rate_limited](const httplib::Request& req, httplib::Response& res, int) {
    const std::string auth = req.get_header_value("Authorization");
    const auto body = nlohmann::json::parse(req.body);
    const std::string q = body["messages"][1]["content"];
    if (q == "401") {
      res.status = 401;
      res.set_content(nlohmann::json{{"error", {{"message", "Incorrect API key provided: " + auth}}}}.dump(),
                      "application/json");
    } else if (q == "429" && rate_limited++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "0");
      res.set_content("rate limited for " + auth, "text/plain");
    } else if (q == "500") {
      res.status = 500;
      res.set_content("<html>crash dump: headers " + auth + "</html>", "text/html");
    } else {
      res.set_content(FakeEndpoint::completion("{\"de\": true, \"confidence\": 0.6} " + auth, "stop", "I saw " + auth),
                      "application/json");
    }
  });
  EndpointConfig c;
  c.url = echo.url();
  c.model = "teacher";
  c.api_key_env = "PS_TEST_TEACH_SECRET";
  c.max_retries = 2;
  c.backoff_initial_seconds = 0.01;
  const TeacherRun run = EndpointTeacher(c).run(
      {item("k1", "401", 1), item("k2", "429", 1), item("k3", "500", 1), item("k4", "ok", 1)});
  EXPECT_EQ(run.counts.failed, 2);  // 401 and 500
  EXPECT_EQ(run.counts.made, 2);
  for (const auto& t : run.traces) {
    seen.push_back(t.error);
    seen.push_back(t.completion);
    seen.push_back(t.answer.reasoning);
    seen.push_back(t.answer.detail);
  }
  EXPECT_NE(run.traces[0].error.find("[REDACTED]"), std::string::npos) << run.traces[0].error;
  EXPECT_NE(run.traces[3].completion.find("[REDACTED]"), std::string::npos) << run.traces[3].completion;
  seen.push_back(c.to_json().dump());

  // A key file readable by others: the error names the file, not its content.
  const std::string f = ps::test::write_scratch_file("teach_secret", "key", key + "\n");
  ::chmod(f.c_str(), 0640);
  EndpointConfig cf = c;
  cf.api_key_env.clear();
  cf.api_key_file = f;
  try {
    EndpointTeacher t(cf);
    ADD_FAILURE() << "a 0640 key file was accepted";
  } catch (const ps::Error& e) {
    seen.push_back(e.what());
  }

  // The real server, given the key in its environment, with the client sending it.
  ps::test::ServeChild child;
  ASSERT_TRUE(child.start({"--model", model_, "--tokenizer", tokenizer_}, {{"PS_TEST_TEACH_SECRET", key}}))
      << child.output();
  EndpointConfig cs = c;
  cs.url = child.origin() + "/v1";
  cs.model = "tied";
  cs.max_tokens = 4;
  const TeacherRun served = EndpointTeacher(cs).run({item("s1", "hello", 1), item("s2", "hello again", 0)});
  EXPECT_EQ(served.counts.made, 2);
  for (const auto& t : served.traces) seen.push_back(t.error + t.completion);
  cs.model = "wrong-model";  // an error path through the real server
  seen.push_back(ps::teach::EndpointClient(cs).complete({"s3", item("s3", "hello", 1).messages}).error);
  EXPECT_EQ(child.stop(), 0);
  seen.push_back(child.output());
  ASSERT_GT(seen.size(), 10u);

  for (const auto& s : seen) EXPECT_EQ(s.find(key), std::string::npos) << "the key leaked into: " << s;
  // ... nor any long piece of it.
  for (const auto& s : seen) EXPECT_EQ(s.find(key.substr(3, 12)), std::string::npos) << s;
}

}  // namespace
