// The `kg` and `knn` commands through the built CLI binary.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

#include "common/paths.h"
#include "data/perturbqa.h"
#include "sanitizer_report.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out;
};

fs::path tmp() {
  fs::path d = fs::temp_directory_path() / ("ps_test_cli_kg_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

// Runs the CLI with the tests' graph cache (shared by the test processes: keyed by the
// inputs' checksum and written atomically, so sharing is safe); stdout (and stderr when asked) captured.
Result cli(const std::string& args, bool with_stderr = false) {
  const std::string cmd = std::string(PERTURBSCOPE_CLI_PATH) + " " + args + " --cache-dir " +
                          (fs::temp_directory_path() / "ps_test_kg_shared_cache").string() + (with_stderr ? " 2>&1" : " 2>/dev/null");
  Result r{0, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ps::test::expect_no_sanitizer_report(r.code, r.out, "perturbscope-cli " + args);
  return r;
}

}  // namespace

TEST(CliKg, NeighboursWithEvidenceAsJson) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  auto r = cli("kg neighbours PSMA1 --k 5 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["gene"], "PSMA1");
  ASSERT_EQ(j["neighbours"].size(), 5u);
  for (const auto& n : j["neighbours"]) {
    EXPECT_GT(n["score"].get<double>(), 0);
    EXPECT_TRUE(n.contains("string_channels"));
    EXPECT_TRUE(n.contains("go_terms"));
    EXPECT_TRUE(n.contains("pathways"));
  }
  // The old symbol resolves through the alias table; a single source can be asked for.
  auto s = cli("kg neighbours AARS --source string --k 3");
  ASSERT_EQ(s.code, 0);
  EXPECT_NE(s.out.find("AARS1"), std::string::npos);
  EXPECT_NE(s.out.find("STRING"), std::string::npos);
}

TEST(CliKg, UnknownGeneAndBadUsage) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  auto r = cli("kg neighbours NOTAGENE123", true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("NOTAGENE123"), std::string::npos);
  EXPECT_EQ(cli("kg neighbours PSMA1 --source kegg").code, 2);
  EXPECT_EQ(cli("kg wander PSMA1").code, 2);
  EXPECT_EQ(cli("knn --cell-line mars").code, 2);
  EXPECT_EQ(cli("knn --cell-line k562 --sources string,kegg --no-store").code, 2);  // a bad flag value: usage
}

// An old symbol that names two current genes offers both (never "no gene", never one
// picked silently); a misspelling gets "did you mean".
TEST(CliKg, AmbiguousOldSymbolAndMisspelling) {
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  auto abc1 = cli("kg info ABC1", true);
  EXPECT_EQ(abc1.code, 1);
  EXPECT_NE(abc1.out.find("ambiguous: ABCA1 or HEATR6"), std::string::npos) << abc1.out;
  auto mars = cli("kg neighbours MARS", true);
  EXPECT_EQ(mars.code, 1);
  EXPECT_NE(mars.out.find("ambiguous: MARS1 or SLA2"), std::string::npos) << mars.out;
  auto gars = cli("kg evidence GARS TP53", true);
  EXPECT_EQ(gars.code, 1);
  EXPECT_NE(gars.out.find("ambiguous: GARS1 or GART"), std::string::npos) << gars.out;
  auto typo = cli("kg info TP35", true);
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.out.find("did you mean"), std::string::npos) << typo.out;
  EXPECT_NE(typo.out.find("TP53"), std::string::npos) << typo.out;
}

TEST(CliKnn, CsvWithNamedSplitsMatchesTheOfficialFile) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  // The official K562 file, its test split renamed and an extra column added.
  const std::string src = ps::data::perturbqa_path(data->dir, "k562", "de");
  const std::string csv = (tmp() / "k562_renamed.csv").string();
  {
    std::ifstream in(src);
    std::ofstream out(csv);
    std::string line;
    std::getline(in, line);
    out << line << ",note\n";
    while (std::getline(in, line)) {
      if (line.size() > 5 && line.compare(line.size() - 5, 5, ",test") == 0) line = line.substr(0, line.size() - 4) + "held";
      out << line << ",x\n";
    }
  }
  const std::string common = " --json --no-signed --bootstrap 0 --store " + (tmp() / "store.sqlite").string();
  auto official = cli("knn --cell-line k562" + common);
  auto renamed = cli("knn --cell-line k562 --csv " + csv + " --train-split train --test-split held" + common);
  ASSERT_EQ(official.code, 0) << official.out;
  ASSERT_EQ(renamed.code, 0) << renamed.out;
  auto a = nlohmann::json::parse(official.out), b = nlohmann::json::parse(renamed.out);
  EXPECT_EQ(a["n_test"], 23212);
  EXPECT_EQ(b["n_test"], 23212);
  EXPECT_DOUBLE_EQ(a["auroc_per_gene"].get<double>(), b["auroc_per_gene"].get<double>());
  for (const char* key : {"cell_line", "n_test", "auroc_per_gene", "auroc_pooled", "f1", "brier", "ece", "seconds"})
    EXPECT_TRUE(a.contains(key)) << key;
  ASSERT_EQ(a["run_ids"].size(), 1u);
  EXPECT_NE(a["run_ids"][0], b["run_ids"][0]);
  // A malformed row names the file and the line.
  { std::ofstream(csv, std::ios::app) << "A,B,7,train,x\n"; }
  auto bad = cli("knn --cell-line k562 --csv " + csv + " --no-store", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("k562_renamed.csv:157681: label must be 0 or 1"), std::string::npos) << bad.out;
}
