// Issue 15: a bad value of a flag is a usage error in every command (exit 2, the flag named,
// before any data, store or model is touched), whether the flag takes a number, a name from a
// list (--calibration, --combiner, --source, --device, --dtype, --vote, --strategies, --split,
// --cell-line) or a small language (--sources NAME:WEIGHT). Exit 1 stays for bad files and data.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data_cli/cli_run.h"

namespace {

struct FlagCase {
  std::string args;  // the command line after perturbscope-cli
  std::string flag;  // what the message must name
};

std::ostream& operator<<(std::ostream& os, const FlagCase& c) { return os << c.args; }

// Paths that do not exist: a usage error must come first, so none of them is ever reached.
const std::string kData = " --data /nonexistent/ps_data";
const std::string kModel = " --model /nonexistent/ps_model --store /nonexistent/ps_store.sqlite";
const std::string kModelOnly = " --model /nonexistent/ps_model";  // generate and serve keep no store

class BadFlagValue : public ::testing::TestWithParam<FlagCase> {};

TEST_P(BadFlagValue, IsAUsageErrorNamingTheFlag) {
  const FlagCase& c = GetParam();
  auto r = test_cli::cli(c.args);
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(test_cli::contains(r.err, c.flag)) << r.err;
  EXPECT_TRUE(test_cli::contains(r.err, "--help")) << "usage errors point at the help: " << r.err;
  EXPECT_FALSE(test_cli::contains(r.err, "internal error")) << r.err;
  EXPECT_FALSE(test_cli::contains(r.err, "/nonexistent/")) << "a path was looked at before the flag: " << r.err;
}

const std::vector<FlagCase> kCases = {
    // knn: enumerated flags (these exited 1 or 2 depending on the flag)
    {"knn --cell-line k562 --no-store --calibration foo" + kData, "--calibration"},
    {"knn --cell-line k562 --no-store --calibration Isotonic" + kData, "--calibration"},
    {"knn --cell-line k562 --no-store --combiner foo" + kData, "--combiner"},
    {"knn --cell-line mars --no-store" + kData, "cell line"},
    {"knn --holdout-cell-line mars --no-store" + kData, "--holdout-cell-line"},
    {"knn --cell-line k562 --no-store --split val" + kData, "--split"},
    // knn --sources: every bad weight alike (string:inf used to exit 2, string:abc 1)
    {"knn --cell-line k562 --no-store --sources string:inf" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:nan" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:1e999" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:abc" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:-1" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources string:0" + kData, "--sources"},
    {"knn --cell-line k562 --no-store --sources kegg" + kData, "--sources"},
    // kg
    {"kg neighbours PSMA1 --source kegg" + kData, "--source"},
    {"kg neighbours PSMA1 --sources string:inf" + kData, "--sources"},
    {"kg neighbours PSMA1 --sources go:x" + kData, "--sources"},
    // commands that load a model: --device / --dtype, checked before the model or the store
    {"eval --cell-line k562 --split test --no-store --device tpu" + kModel, "--device"},
    {"eval --cell-line mars --split test --no-store" + kModel, "--cell-line"},
    {"eval --cell-line k562 --split validation --no-store" + kModel, "--split"},
    {"ttc --no-store --device cuda:x" + kModel, "--device"},
    {"ttc --no-store --vote plurality" + kModel, "--vote"},
    {"ttc --no-store --strategies greedy,beam" + kModel, "--strategies"},
    {"generate --prompt-ids 1,2 --device cuda1" + kModelOnly, "--device"},
    {"generate --prompt-ids 1,2 --dtype int8" + kModelOnly, "--dtype"},
    {"serve --device gpu" + kModelOnly, "--device"},
    {"serve --dtype fp8" + kModelOnly, "--dtype"},
    // float16 has no CPU matrix product in libtorch: refused up front, not a 500 per request
    {"generate --prompt-ids 1,2 --dtype float16" + kModelOnly, "--dtype float16"},
    {"serve --dtype fp16" + kModelOnly, "--dtype float16"},
};

INSTANTIATE_TEST_SUITE_P(EveryCommand, BadFlagValue, ::testing::ValuesIn(kCases));

// The same flags with good values get past the flag checks: the failure is then about the missing
// model or data (exit 1), so the cases above fail for the value alone.
TEST(GoodFlagValue, PassesTheFlagChecks) {
  for (const std::string args : {"knn --cell-line k562 --no-store --calibration platt --combiner linear "
                                 "--sources string:1,go:0.5 --split test --data /nonexistent/ps_data",
                                 "eval --cell-line k562 --split test --no-store --device cpu --model /nonexistent/ps_model",
                                 "ttc --no-store --device cpu --vote majority --model /nonexistent/ps_model"}) {
    auto r = test_cli::cli(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.all();
    EXPECT_TRUE(test_cli::contains(r.err, "/nonexistent/")) << args << ": " << r.err;
  }
}

// `perturbscope-cli help CMD` is CMD's help (it printed the general usage).
TEST(HelpCommand, HelpOfACommandIsItsOwnHelp) {
  auto r = test_cli::cli("help knn");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(test_cli::contains(r.out + r.err, "--cell-line")) << r.all();
  auto general = test_cli::cli("help");
  EXPECT_EQ(general.code, 0) << general.all();
  EXPECT_TRUE(test_cli::contains(general.out, "commands:")) << general.all();
}

}  // namespace
