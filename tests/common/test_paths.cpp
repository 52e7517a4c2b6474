#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/paths.h"

namespace fs = std::filesystem;

TEST(Paths, ExplicitDataDirWinsAndIsNeverReplaced) {
  auto c = ps::data_candidates("/nonexistent/perturbscope-data");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].source, "--data");
  EXPECT_FALSE(ps::locate_data("/nonexistent/perturbscope-data").has_value());
  try {
    ps::require_data("/nonexistent/perturbscope-data");
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/perturbscope-data"), std::string::npos);
  }
}

TEST(Paths, EnvironmentVariableComesBeforeSharedFolder) {
  fs::path tmp = fs::temp_directory_path() / "ps_paths_env";
  fs::create_directories(tmp);
  setenv("PERTURBSCOPE_DATA", tmp.c_str(), 1);
  auto d = ps::locate_data();
  unsetenv("PERTURBSCOPE_DATA");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->dir, tmp.string());
  EXPECT_EQ(d->source, "PERTURBSCOPE_DATA");
}

TEST(Paths, SharedMirrorBesideTheCheckoutIsFound) {
  unsetenv("PERTURBSCOPE_DATA");
  auto d = ps::locate_data();
  ASSERT_TRUE(d.has_value()) << "the CI layout puts shared/ beside the checkout";
  EXPECT_TRUE(fs::exists(fs::path(d->dir) / "perturbqa"));
  EXPECT_TRUE(ps::locate_fixtures().has_value());
}

// The compile-time source tree is searched only by a binary in its build tree: an
// installed copy must never report the build machine's checkout.
TEST(Paths, SourceTreeRuleOnlyInTheBuildTree) {
  const std::string build = ps::build_dir();
  ASSERT_FALSE(build.empty());
  EXPECT_TRUE(ps::running_from_build_tree(build));
  EXPECT_TRUE(ps::running_from_build_tree(build + "/tests"));
  EXPECT_TRUE(ps::running_from_build_tree(ps::executable_dir()));  // this test runs from build/
  EXPECT_FALSE(ps::running_from_build_tree("/usr/bin"));
  EXPECT_FALSE(ps::running_from_build_tree(build + "-installed/bin"));  // a prefix of the name is not inside
  EXPECT_FALSE(ps::running_from_build_tree(""));
}
