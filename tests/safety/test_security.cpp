// Issue 15, security:
//   - an API key (from an environment variable or a 0600 key file) never appears in what
//     perturbscope-cli prints, in the experiment store (every column of every table, and the raw
//     bytes of the database and its write-ahead log), in run folders (checkpoints, configs, item
//     sets, model files) or in error messages, even when the server echoes it back in error bodies,
//     retried responses and completions;
//   - a model or adapter folder that holds only pickle-based or code files (.bin, .pt, .pkl, .py)
//     is refused with a clear error and nothing in it is run;
//   - `serve` answers a request with an oversized header without dying and never logs the
//     Authorization header.
// The teacher runs against a fake OpenAI-compatible server in this process (loopback).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "safety/child.h"
#include "safety/store_snapshot.h"
#include "safety/tiny_jobs.h"
#include "scratch.h"
#include "serve_child.h"
#include "teach/fake_endpoint.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ps::test::FakeEndpoint;

namespace {

const std::string kKey = "sk-ps-SECRET-1c9e47b2d8a05f36";

// Every place the key could hide: the key, and its middle (a partial leak, e.g. a truncated echo).
void expect_no_key(const std::string& what, const std::string& text) {
  for (const std::string& needle : {kKey, kKey.substr(6, 14)}) {
    const auto at = text.find(needle);
    EXPECT_EQ(at, std::string::npos) << "the key leaked into " << what << ": ..."
                                     << (at == std::string::npos ? "" : text.substr(at > 80 ? at - 80 : 0, 200)) << "...";
  }
}

// Every file under `root` (store, write-ahead log, run folders), byte for byte.
int64_t expect_no_key_in_files(const fs::path& root) {
  int64_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    ++files;
    expect_no_key(e.path().string(), ps::test::slurp_file(e.path().string()));
  }
  return files;
}

// Every column of every row of every table, as SQLite returns it.
int64_t expect_no_key_in_tables(const std::string& store) {
  ps::test::SqliteReader db(store);
  int64_t cells = 0;
  for (const auto& t : db.rows("SELECT name FROM sqlite_master WHERE type='table'"))
    for (const auto& row : db.rows("SELECT * FROM \"" + t[0] + "\""))
      for (const auto& cell : row) {
        ++cells;
        expect_no_key("table " + t[0], cell);
      }
  return cells;
}

class Security : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ps::test::scratch_dir("security") / ::testing::UnitTest::GetInstance()->current_test_info()->name(); fs::remove_all(dir_); fs::create_directories(dir_); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(Security, TheApiKeyAppearsNowhere) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  // The key file lives outside the folders that are searched.
  const fs::path secrets = dir_ / "secrets";
  const fs::path work = dir_ / "work";
  fs::create_directories(secrets);
  fs::create_directories(work);
  const std::string key_file = (secrets / "key").string();
  std::ofstream(key_file) << kKey << "\n";
  ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);
  const std::string mirror = ps::test::reduced_mirror(dir_).string();

  // A careless server: the Authorization header comes back in 401 bodies, in 500 bodies (retried),
  // in 429 bodies, and in completions and their reasoning.
  std::atomic<int> with_key{0}, requests{0};
  std::atomic<bool> reject_all{false};
  std::mutex mu;
  std::map<std::string, int> seen;  // prompt -> attempts
  FakeEndpoint server([&](const httplib::Request& req, httplib::Response& res, int) {
    ++requests;
    const std::string auth = req.get_header_value("Authorization");
    if (auth == "Bearer " + kKey) ++with_key;
    const std::string prompt = json::parse(req.body)["messages"].back()["content"].get<std::string>();
    int attempt = 0, kind = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      attempt = ++seen[prompt];
      kind = static_cast<int>(std::hash<std::string>()(prompt) % 4);
    }
    if (reject_all || kind == 0) {
      res.status = 401;
      res.set_content(json{{"error", {{"message", "Incorrect API key provided: " + auth}}}}.dump(), "application/json");
    } else if (kind == 1 && attempt == 1) {
      res.status = 500;
      res.set_content("<html>upstream crashed; request headers: Authorization: " + auth + "</html>", "text/html");
    } else if (kind == 2 && attempt == 1) {
      res.status = 429;
      res.set_header("Retry-After", "0");
      res.set_content("slow down, " + auth, "text/plain");
    } else {
      res.set_content(FakeEndpoint::completion("Your key is " + auth + ". {\"de\": true, \"confidence\": 0.7}", "stop",
                                               "The header said " + auth),
                      "application/json");
    }
  });

  json cfg = ps::test::tiny_sft_config(mirror);
  cfg["name"] = "endpoint-teacher";
  cfg["teacher"] = {{"kind", "endpoint"},
                    {"keep_all", true},
                    {"endpoint",
                     {{"url", server.url()}, {"model", "teacher"}, {"api_key_env", "PS_TEST_SECURITY_KEY"}, {"max_retries", 1},
                      {"backoff_initial_seconds", 0.01}, {"backoff_max_seconds", 0.05}, {"concurrency", 2}, {"max_tokens", 64}}}};
  cfg["train"]["max_steps"] = 2;
  cfg["train"]["checkpoint_every"] = 1;
  const std::string env_cfg = (work / "env.json").string();
  std::ofstream(env_cfg) << cfg.dump(1);
  cfg["teacher"]["endpoint"].erase("api_key_env");
  cfg["teacher"]["endpoint"]["api_key_file"] = key_file;
  const std::string file_cfg = (work / "file.json").string();
  std::ofstream(file_cfg) << cfg.dump(1);

  const std::string store = (work / "store.sqlite").string();
  std::vector<ps::test::ChildResult> outputs;
  auto run = [&](std::vector<std::string> args, ps::test::ChildOptions opt = {}) {
    args.insert(args.end(), {"--store", store});
    opt.timeout_s = 240;
    outputs.push_back(ps::test::run_cli_child(args, opt));
    return outputs.back();
  };
  ps::test::ChildOptions with_env;
  with_env.env["PS_TEST_SECURITY_KEY"] = kKey;

  // 1. Key from the environment: the run succeeds on the answers that came back.
  auto r1 = run({"sft", "--config", env_cfg, "--json"}, with_env);
  ASSERT_TRUE(r1.exited(0)) << r1.describe();
  const json j1 = json::parse(r1.out);
  EXPECT_GT(j1["teacher"]["failed"].get<int64_t>(), 0) << "no request failed: the error paths were not exercised";
  EXPECT_GT(j1["teacher"]["kept"].get<int64_t>(), 0);
  // The teacher's traces are in the store, with the echoed key redacted.
  {
    ps::test::SqliteReader db(store);
    auto traces = db.rows("SELECT count(*) FROM predictions WHERE trace LIKE '%[REDACTED]%'");
    ASSERT_FALSE(traces.empty());
    EXPECT_GT(std::stoll(traces[0][0]), 0) << "the server's echoes did not reach the store: the test would prove nothing";
  }
  // The same run as the --resume path reads it (the stored config), and its listing.
  run({"runs", "list", "--json"});
  run({"runs", "show", std::to_string(j1["run_id"].get<int64_t>()), "--json"});
  run({"traces", "show", std::to_string(j1["teacher_run_id"].get<int64_t>()), "--limit", "0"});

  // 2. Key from a 0600 file; every request refused with the key in the body: the run fails.
  reject_all = true;
  auto r2 = run({"sft", "--config", file_cfg});
  EXPECT_TRUE(r2.exited(1)) << r2.describe();
  EXPECT_NE(r2.err.find("teacher kept no trace"), std::string::npos) << r2.describe();

  // 3. A key file others can read: refused, naming the file, never its content.
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  auto r3 = run({"sft", "--config", file_cfg});
  EXPECT_TRUE(r3.exited(1)) << r3.describe();
  EXPECT_NE(r3.err.find(key_file), std::string::npos) << r3.describe();
  ::chmod(key_file.c_str(), 0600);

  // 4. An unset variable: named, and the run does not start.
  auto r4 = run({"sft", "--config", env_cfg});
  EXPECT_TRUE(r4.exited(1)) << r4.describe();
  EXPECT_NE(r4.err.find("PS_TEST_SECURITY_KEY"), std::string::npos) << r4.describe();

  EXPECT_GT(with_key.load(), 10) << "the key was not sent: the test would prove nothing";
  EXPECT_EQ(with_key.load(), requests.load()) << "a request went without the key";

  for (size_t i = 0; i < outputs.size(); ++i) {
    expect_no_key("stdout of command " + std::to_string(i), outputs[i].out);
    expect_no_key("stderr of command " + std::to_string(i), outputs[i].err);
  }
  EXPECT_GT(expect_no_key_in_tables(store), 100);
  EXPECT_GT(expect_no_key_in_files(work), 10);  // store, -wal, runs/*/checkpoint/*, model/*, item sets
}

// A folder of pickles and Python files is not a model we load: refused, named, nothing run.
TEST_F(Security, PickleAndCodeOnlyModelFoldersAreRefused) {
  const fs::path marker = dir_ / "EXECUTED";
  const fs::path model = dir_ / "model";
  fs::create_directories(model);
  // A Qwen3 config that would be valid, with weights only in pickle-based formats and code beside them.
  std::ofstream(model / "config.json") << json{{"architectures", {"Qwen3ForCausalLM"}}, {"model_type", "qwen3"},
                                               {"hidden_size", 32}, {"intermediate_size", 64}, {"num_hidden_layers", 1},
                                               {"num_attention_heads", 2}, {"num_key_value_heads", 1}, {"head_dim", 16},
                                               {"vocab_size", 384}, {"max_position_embeddings", 128},
                                               {"auto_map", {{"AutoModelForCausalLM", "modeling_evil.EvilModel"}}}}
                                              .dump();
  const std::string payload = "import os\nopen('" + marker.string() + "', 'w').write('ran')\n";
  std::ofstream(model / "modeling_evil.py") << payload;
  // A pickle whose unpickling would run os.system (protocol 0: cos\nsystem\n(S'...'\ntR.).
  const std::string pickle = "cos\nsystem\n(S'touch " + marker.string() + "'\ntR.";
  std::ofstream(model / "pytorch_model.bin") << pickle;
  std::ofstream(model / "model.pkl") << pickle;
  std::ofstream(model / "training_args.pt") << pickle;
  const std::string tok = ps::test::tiny_tokenizer(dir_ / "tok");

  auto g = ps::test::run_cli_child({"generate", "--model", model.string(), "--tokenizer", tok, "--prompt", "hi", "--max-new-tokens", "2"});
  EXPECT_TRUE(g.exited(1)) << g.describe();
  EXPECT_NE(g.err.find(model.string()), std::string::npos) << g.describe();
  EXPECT_NE(g.err.find("safetensors"), std::string::npos) << "the error should say what is needed\n" << g.describe();
  EXPECT_EQ(g.err.find("internal error"), std::string::npos) << g.describe();

  // An adapter folder with only adapter_model.bin (PEFT's pickle format), on a real model.
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  if (!fx.empty()) {
    const fs::path adapter = dir_ / "adapter";
    fs::create_directories(adapter);
    std::ofstream(adapter / "adapter_config.json")
        << json{{"peft_type", "LORA"}, {"r", 2}, {"lora_alpha", 4}, {"target_modules", {"q_proj"}}}.dump();
    std::ofstream(adapter / "adapter_model.bin") << pickle;
    std::ofstream(adapter / "setup.py") << payload;
    auto a = ps::test::run_cli_child({"generate", "--model", fx + "/tied", "--tokenizer", tok, "--adapter", adapter.string(),
                                      "--prompt", "hi", "--max-new-tokens", "2"});
    EXPECT_TRUE(a.exited(1)) << a.describe();
    EXPECT_NE(a.err.find(adapter.string()), std::string::npos) << a.describe();
    EXPECT_NE(a.err.find("safetensors"), std::string::npos) << a.describe();
    EXPECT_EQ(a.err.find("internal error"), std::string::npos) << a.describe();
  }
  // The serve command loads models the same way.
  auto s = ps::test::run_cli_child({"serve", "--model", model.string(), "--tokenizer", tok, "--port", "0"}, {{}, {}, -1, 60});
  EXPECT_TRUE(s.exited(1)) << s.describe();
  EXPECT_NE(s.err.find("safetensors"), std::string::npos) << s.describe();
  EXPECT_FALSE(fs::exists(marker)) << "something from the folder was executed";
}

// serve: loopback by default, an oversized header is refused without harm, and the
// Authorization header a client sends is never logged.
TEST_F(Security, ServeRefusesOversizedHeadersAndNeverLogsAuthorization) {
  const std::string fx = ps::test::serve_fixture("tiny-qwen3");
  if (fx.empty()) GTEST_SKIP() << "fixtures not found";
  const std::string tok = ps::test::tiny_tokenizer(dir_ / "tok");
  ps::test::ServeChild child;
  ASSERT_TRUE(child.start({"--model", fx + "/tied", "--tokenizer", tok}, {{"PS_TEST_SECURITY_KEY", kKey}})) << child.output();
  EXPECT_EQ(child.host(), "127.0.0.1");
  {
    httplib::Client c(child.origin());
    c.set_default_headers({{"Authorization", "Bearer " + kKey}});
    auto ok = c.Post("/v1/completions", json{{"model", "tied"}, {"prompt", "hi"}, {"max_tokens", 2}}.dump(), "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
    auto bad = c.Post("/v1/completions", json{{"model", "nope"}, {"prompt", "hi"}}.dump(), "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 404);
    expect_no_key("a serve error body", bad->body);
  }
  {
    httplib::Client c(child.origin());
    c.set_default_headers({{"X-Padding", std::string(256 << 10, 'a')}, {"Authorization", "Bearer " + kKey}});
    auto huge = c.Post("/v1/completions", json{{"model", "tied"}, {"prompt", "hi"}, {"max_tokens", 2}}.dump(), "application/json");
    if (huge) EXPECT_GE(huge->status, 400) << "a 256 KiB header was accepted";
  }
  httplib::Client c(child.origin());
  auto after = c.Get("/v1/models");
  ASSERT_TRUE(after) << "the server died on an oversized header";
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(child.stop(), 0);
  expect_no_key("serve's output", child.output());
}

}  // namespace
