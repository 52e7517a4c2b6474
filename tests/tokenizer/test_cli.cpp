// perturbscope-cli tokenize, run as a user would: ids as JSON, decode, and clear
// errors with the right exit codes.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "tiny_tokenizer.h"
#include "sanitizer_report.h"

namespace {

struct CliRun {
  int code;
  std::string out, err;
};

CliRun cli(const std::string& args) {
  const std::string err_file = tiny::temp_dir("cli_err") + "/stderr.txt";
  const std::string cmd = std::string(PERTURBSCOPE_CLI_PATH) + " tokenize " + args + " 2>'" + err_file + "'";
  CliRun r{-1, "", ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  ps::test::expect_no_sanitizer_report(r.code, r.err, "perturbscope-cli tokenize " + args);
  return r;
}

std::string qwen3_dir() {
  auto fx = ps::locate_fixtures();
  return fx ? *fx + "/qwen3-tokenizer" : "";
}

}  // namespace

TEST(TokenizeCli, EncodesAsJsonLikeTheGoldenRecord) {
  if (qwen3_dir().empty()) GTEST_SKIP() << "fixtures not found";
  // The "hello" record of golden_encodings.jsonl.
  std::ifstream in(qwen3_dir() + "/golden_encodings.jsonl");
  nlohmann::json record;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["id"] == "hello") record = j;
  }
  ASSERT_FALSE(record.is_null());
  const CliRun r = cli("--tokenizer '" + qwen3_dir() + "' --text '" + record["text"].get<std::string>() + "' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["ids"], record["ids"]);

  std::string ids;
  for (const auto& id : record["ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int>());
  const CliRun d = cli("--tokenizer '" + qwen3_dir() + "/tokenizer.json' --decode " + ids + " --json");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(nlohmann::json::parse(d.out)["text"], record["decoded"]);
}

TEST(TokenizeCli, BadInputGivesClearErrors) {
  const std::string dir = tiny::temp_dir("cli");
  CliRun r = cli("--tokenizer '" + dir + "/missing.json' --text hi");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(dir + "/missing.json"), std::string::npos) << r.err;

  tiny::write(dir + "/tokenizer.json", "{\"model\": {\"vocab\": {}, \"merges\": [[\"a\"]]}}");
  r = cli("--tokenizer '" + dir + "' --text hi");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("model.merges[0]"), std::string::npos) << r.err;

  r = cli("--text hi");  // no --tokenizer
  EXPECT_EQ(r.code, 2);
  tiny::write(dir + "/tokenizer.json", tiny::make({}).dump());
  r = cli("--tokenizer '" + dir + "' --decode 1,x");
  EXPECT_EQ(r.code, 2);
  r = cli("--tokenizer '" + dir + "' --decode 1,70000");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown token id 70000"), std::string::npos) << r.err;
  r = cli("--tokenizer '" + dir + "' --text ab");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "97,98\n");
}

TEST(TokenizeCli, TrainsATokenizerThatLoads) {
  const std::string dir = tiny::temp_dir("cli_train");
  std::string corpus;
  for (int i = 0; i < 200; ++i) corpus += "Does a knockdown of MYC change TP53 expression in K562 cells?\n";
  tiny::write(dir + "/corpus.txt", corpus);
  CliRun r = cli("--train '" + dir + "/corpus.txt' --merges 40 --out '" + dir + "' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["merges"], 40);
  EXPECT_LT(j["corpus_tokens"].get<size_t>(), corpus.size() / 2);
  r = cli("--tokenizer '" + dir + "' --text 'knockdown of MYC' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_LT(nlohmann::json::parse(r.out)["ids"].size(), 8u);  // far fewer than the 16 bytes
  r = cli("--train '" + dir + "/missing.txt' --out '" + dir + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;
}

TEST(TokenizeCli, ChatWrapsTheTextInTheQwen3Template) {
  if (qwen3_dir().empty()) GTEST_SKIP() << "fixtures not found";
  const CliRun r = cli("--tokenizer '" + qwen3_dir() + "' --text Hi --chat --no-thinking --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["text"], "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  EXPECT_EQ(j["ids"][0], 151644);  // <|im_start|>
  EXPECT_EQ(cli("--tokenizer '" + qwen3_dir() + "' --text Hi --no-thinking").code, 2);
}

// Issue 15, faults 1 and 4 through the binary: a deeply nested file exits 1 (not 139), and integer
// flags are range-checked instead of narrowed (--merges 4294967296 used to train 0 merges).
TEST(TokenizeCli, HostileInputAndFlagsAreClearErrors) {
  const std::string dir = tiny::temp_dir("cli_hostile");
  std::string good = tiny::make({}).dump();
  tiny::write(dir + "/tokenizer.json", "{\"extra\":" + std::string(50000, '[') + std::string(50000, ']') + "," + good.substr(1));
  CliRun r = cli("--tokenizer '" + dir + "' --text hi");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("deeper than"), std::string::npos) << r.err;

  tiny::write(dir + "/corpus.txt", "hello hello world world hello");
  for (const std::string flag : {"--merges 4294967296", "--merges -1", "--merges 10x", "--min-frequency 0",
                                 "--min-frequency 99999999999999999999"}) {
    r = cli("--train '" + dir + "/corpus.txt' --out '" + dir + "/t.json' " + flag);
    EXPECT_EQ(r.code, 2) << flag << ": " << r.err;
    EXPECT_NE(r.err.find(flag.substr(0, flag.find(' '))), std::string::npos) << r.err;
  }
  r = cli("--train '" + dir + "/corpus.txt' --out '" + dir + "/t.json' --merges 3 --json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["merges"], 3);
}

// Issue 15: a folder given where a file is expected is named as such (was "internal error").
TEST(TokenizeCli, AFolderForAFileIsAClearError) {
  const std::string dir = tiny::temp_dir("cli_folder");
  tiny::write(dir + "/tokenizer.json", tiny::make({}).dump());
  const std::string folder = tiny::temp_dir("cli_folder_arg");
  for (const std::string& args : {"--train '" + folder + "' --out '" + dir + "/t.json'",
                                  "--tokenizer '" + dir + "' --file '" + folder + "'"}) {
    const CliRun r = cli(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find(folder + ": is a folder, not a file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  }
  // tokenizer.json itself a folder inside the model folder.
  const std::string model = tiny::temp_dir("cli_folder_model");
  std::filesystem::create_directories(model + "/tokenizer.json");
  const CliRun r = cli("--tokenizer '" + model + "' --text hi");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("folder"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}
