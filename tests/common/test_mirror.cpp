// The mirror checker on small synthetic files (the real mirror is checked through
// the CLI in tests/data_cli).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/mirror.h"

namespace fs = std::filesystem;
using ps::mirror::Status;

namespace {

const ps::mirror::FileSpec& spec(const std::string& path) {
  for (const auto& s : ps::mirror::manifest())
    if (path == s.path) return s;
  throw std::runtime_error("not in the manifest: " + path);
}

class MirrorCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ps_mirror_unit_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "perturbqa" / "datasets");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel, std::ios::binary) << text; }
  ps::mirror::FileReport check(const std::string& rel) { return ps::mirror::check_file(dir_.string(), spec(rel)); }
  fs::path dir_;
};

}  // namespace

TEST(Mirror, ManifestNamesEveryFileOnceWithAChecksum) {
  std::set<std::string> seen;
  for (const auto& s : ps::mirror::manifest()) {
    EXPECT_TRUE(seen.insert(s.path).second) << s.path;
    EXPECT_EQ(std::string(s.sha256).size(), 64u) << s.path;
    EXPECT_GT(s.bytes, 0) << s.path;
  }
  EXPECT_TRUE(spec("perturbqa/datasets/k562-de.csv").required);
  EXPECT_FALSE(spec("perturbqa/summer_examples/jonasargelo_de_prompt_AARS2_AAK1_output_llama-3-8b.json").required);
}

TEST_F(MirrorCheck, WellFormedButDifferentFileIsReportedAsDiffering) {
  write("perturbqa/datasets/k562-de.csv", "pert,gene,label,split\r\nA,B,1,train\r\nC,D,0,test\r\n");
  auto r = check("perturbqa/datasets/k562-de.csv");
  EXPECT_EQ(r.status, Status::Differs) << r.message;
  EXPECT_EQ(r.rows, 2);
  EXPECT_FALSE(ps::mirror::is_failure(r));
  EXPECT_NE(r.message.find("2 rows, manifest 157679"), std::string::npos) << r.message;
}

TEST_F(MirrorCheck, EveryKindOfBadRowIsFoundWithItsLine) {
  write("perturbqa/datasets/k562-de.csv",
        "pert,gene,label,split\nA,B,1,train\nA,B,1\n,B,1,train\nA,B,2,train\nA,B,1,validation\n\nA,\"B,1,train\n");
  auto r = check("perturbqa/datasets/k562-de.csv");
  EXPECT_EQ(r.status, Status::Malformed);
  EXPECT_TRUE(ps::mirror::is_failure(r));
  EXPECT_EQ(r.bad_line, 3);
  EXPECT_EQ(r.bad_lines, 6);
  EXPECT_NE(r.message.find(":3: expected 4 fields, found 3"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("and 5 more"), std::string::npos) << r.message;
}

TEST_F(MirrorCheck, WrongHeaderAndEmptyFileAreMalformed) {
  write("perturbqa/datasets/k562-dir.csv", "perturbation,target,label,split\nA,B,1,train\n");
  auto r = check("perturbqa/datasets/k562-dir.csv");
  EXPECT_EQ(r.status, Status::Malformed);
  EXPECT_EQ(r.bad_line, 1);
  write("perturbqa/datasets/rpe1-de.csv", "");
  r = check("perturbqa/datasets/rpe1-de.csv");
  EXPECT_EQ(r.status, Status::Malformed);
  EXPECT_NE(r.message.find("empty file"), std::string::npos) << r.message;
}

TEST_F(MirrorCheck, JsonOfTheWrongShapeIsMalformed) {
  write("perturbqa/datasets/k562_gw_mapping_full.json", "[1, 2, 3]");
  auto r = check("perturbqa/datasets/k562_gw_mapping_full.json");
  EXPECT_EQ(r.status, Status::Malformed);
  EXPECT_NE(r.message.find("expected a JSON object"), std::string::npos) << r.message;
}

TEST_F(MirrorCheck, MissingRequiredAndOptionalFiles) {
  auto req = check("perturbqa/datasets/jurkat-de.csv");
  EXPECT_EQ(req.status, Status::Missing);
  EXPECT_TRUE(ps::mirror::is_failure(req));
  auto opt = check("perturbqa/datasets/k562_pert-gse.json");
  EXPECT_EQ(opt.status, Status::Missing);
  EXPECT_FALSE(ps::mirror::is_failure(opt));
}
