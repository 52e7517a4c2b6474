// perturbscope-cli generate, run as a user runs it.
#include <array>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lm/lora.h"
#include "lm/model.h"
#include "lm/tokenizer/tokenizer.h"
#include "lm_test_util.h"
#include "sanitizer_report.h"

using namespace ps::lm;
using namespace ps::lm::test;

namespace {

struct CliRun {
  int rc;
  std::string out;  // stdout and stderr together
};

CliRun cli(const std::string& args) {
  std::string cmd = std::string(PERTURBSCOPE_CLI_PATH) + " generate " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ps::test::expect_no_sanitizer_report(rc, out, "perturbscope-cli generate " + args);
  return {rc, out};
}

nlohmann::json last_json_line(const std::string& out) {
  size_t start = out.rfind("\n{");
  return nlohmann::json::parse(start == std::string::npos ? out : out.substr(start + 1));
}

}  // namespace

TEST(CliGenerate, StoriesPromptIdsReproduceRunC) {
  std::string dir = fixture("stories260K");
  PS_REQUIRE_FIXTURE(dir);
  auto rec = read_jsonl(dir + "/golden_greedy.jsonl")[1];
  std::vector<int64_t> prompt = ids_of(rec["prompt_ids"]), want = ids_of(rec["generated_ids"]);
  std::string ids;
  for (size_t i = 0; i < prompt.size(); ++i) ids += (i ? "," : "") + std::to_string(prompt[i]);
  CliRun r = cli("--model " + dir + "/hf --prompt-ids " + ids + " --max-new-tokens 30 --temperature 0 --json");
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = last_json_line(r.out);
  std::vector<int64_t> got = j["ids"].get<std::vector<int64_t>>();
  want.resize(std::min<size_t>(30, want.size()));
  EXPECT_EQ(std::vector<int64_t>(got.begin(), got.begin() + want.size()), want);
  EXPECT_EQ(j["logprobs"].size(), got.size());
  EXPECT_GT(j["tokens_per_second"].get<double>(), 0);
  EXPECT_EQ(j["prompt_tokens"], prompt.size());

  // An adapter with B = 0 changes nothing.
  std::string adapter = temp_dir("cli_adapter");
  Model m = Model::load(dir + "/hf");
  LoraAdapter::create(m.config(), LoraConfig{}, 1)->save(adapter);
  CliRun r2 = cli("--model " + dir + "/hf --prompt-ids " + ids + " --max-new-tokens 30 --adapter " + adapter + " --json");
  ASSERT_EQ(r2.rc, 0) << r2.out;
  EXPECT_EQ(last_json_line(r2.out)["ids"], j["ids"]);

  // Seeded sampling is reproducible across processes.
  CliRun s1 = cli("--model " + dir + "/hf --prompt-ids 1 --max-new-tokens 20 --temperature 1 --top-k 40 --top-p 0.9 --seed 5 --json");
  CliRun s2 = cli("--model " + dir + "/hf --prompt-ids 1 --max-new-tokens 20 --temperature 1 --top-k 40 --top-p 0.9 --seed 5 --json");
  ASSERT_EQ(s1.rc, 0) << s1.out;
  EXPECT_EQ(last_json_line(s1.out)["ids"], last_json_line(s2.out)["ids"]);
}

TEST(CliGenerate, PromptTextGoesThroughTheTokenizer) {
  std::string tok_dir = fixture("qwen3-tokenizer");
  PS_REQUIRE_FIXTURE(tok_dir);
  // A small random model over the full Qwen3 vocabulary.
  ModelConfig c = tiny_qwen3_config(151936);
  c.hidden_size = 16;
  c.intermediate_size = 32;
  c.num_layers = 1;
  c.num_heads = 2;
  c.num_kv_heads = 1;
  c.head_dim = 8;
  c.eos_token_ids = {151645, 151643};
  std::string model_dir = temp_dir("cli_text");
  Model::init_random(c, 3).save(model_dir);
  auto tok = ps::tokenizer::Tokenizer::from_file(tok_dir);

  CliRun r = cli("--model " + model_dir + " --tokenizer " + tok_dir + " --prompt 'The gene TP53 is' --max-new-tokens 6 --no-stop --json");
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = last_json_line(r.out);
  std::vector<int32_t> want_prompt = tok.encode("The gene TP53 is");
  std::vector<int64_t> prompt = j["prompt_ids"].get<std::vector<int64_t>>();
  EXPECT_EQ(std::vector<int32_t>(prompt.begin(), prompt.end()), want_prompt);
  std::vector<int64_t> ids = j["ids"].get<std::vector<int64_t>>();
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(j["text"].get<std::string>(), tok.decode(std::vector<int32_t>(ids.begin(), ids.end()), true));

  CliRun plain = cli("--model " + model_dir + " --tokenizer " + tok_dir + " --prompt hello --max-new-tokens 3");
  EXPECT_EQ(plain.rc, 0) << plain.out;
  EXPECT_NE(plain.out.find("tokens/s"), std::string::npos);
}

TEST(CliGenerate, BadInputIsAClearError) {
  CliRun r = cli("--model /nonexistent/model --prompt-ids 1");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("/nonexistent/model"), std::string::npos) << r.out;
  std::string dir = fixture("stories260K");
  PS_REQUIRE_FIXTURE(dir);
  r = cli("--model " + dir + "/hf --prompt-ids 1 --top-p 1.5");
  EXPECT_EQ(r.rc, 2) << r.out;
  r = cli("--model " + dir + "/hf --prompt-ids 1,9999");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("9999"), std::string::npos) << r.out;
  r = cli("--model " + dir + "/hf --prompt hi");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("tokenizer"), std::string::npos) << r.out;
}
