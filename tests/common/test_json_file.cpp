// Issue 15: user-supplied JSON files are read strictly (common/json_file.h): a repeated key or
// text after the document is an error naming the file and the key, never "the later value wins".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "common/error.h"
#include "common/json_file.h"

namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& text, const std::string& source = "conf.json") {
  try {
    ps::parse_json_strict(text, source);
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(JsonFileStrict, RepeatedKeysAreNamedWithTheirPath) {
  std::string m = error_of(R"({"a": 1, "b": 2, "a": 3})");
  EXPECT_TRUE(has(m, "conf.json") && has(m, "'a'") && has(m, "twice")) << m;
  m = error_of(R"({"x": {"theta": 1, "theta": 1}})");  // equal values are still two keys
  EXPECT_TRUE(has(m, "'x.theta'")) << m;
  m = error_of(R"({"list": [{"k": 1}, {"k": 2, "k": 3}]})");
  EXPECT_TRUE(has(m, "'list[].k'")) << m;
  // The same key in sibling objects, or nested under itself, is fine.
  EXPECT_EQ(error_of(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "c": {"a": 2}})"), "(no error)");
  nlohmann::json j = ps::parse_json_strict(R"({"a": {"a": 1}, "b": [1, 2]})", "x");
  EXPECT_EQ(j["a"]["a"], 1);
  EXPECT_EQ(j["b"].size(), 2u);
}

TEST(JsonFileStrict, TrailingTextAndSyntaxErrorsAreRefused) {
  for (const std::string& text : {std::string(R"({"a": 1} x)"), std::string(R"({"a": 1} {"a": 2})"),
                                  std::string(R"({"a": 1}})"), std::string("{\"a\": 1"), std::string(""),
                                  std::string("{\"a\": 1e400}")}) {
    const std::string m = error_of(text);
    EXPECT_TRUE(has(m, "conf.json") && has(m, "invalid JSON")) << text << " -> " << m;
  }
  EXPECT_EQ(error_of("  {\"a\": 1}\n\n  "), "(no error)");  // whitespace after the document is fine
  // Deep nesting is bounded (no stack or memory blow-up), real nesting is fine.
  EXPECT_TRUE(has(error_of(std::string(100000, '[') + std::string(100000, ']')), "deeper than"));
  EXPECT_EQ(error_of(std::string(100, '[') + std::string(100, ']')), "(no error)");
}

TEST(JsonFileStrict, FilesFoldersAndMissingPathsAreNamed) {
  const fs::path d = fs::temp_directory_path() / ("ps_json_file_" + std::to_string(::getpid()));
  fs::create_directories(d / "folder.json");
  std::ofstream(d / "dup.json") << R"({"lr": 1, "lr": 2})";
  std::ofstream(d / "ok.json") << R"({"lr": 1})";
  auto err = [](const fs::path& p) {
    try {
      ps::read_json_file_strict(p.string());
    } catch (const ps::Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::string m = err(d / "dup.json");
  EXPECT_TRUE(has(m, (d / "dup.json").string()) && has(m, "'lr'")) << m;
  m = err(d / "folder.json");
  EXPECT_TRUE(has(m, (d / "folder.json").string()) && has(m, "is a folder")) << m;
  m = err(d / "absent.json");
  EXPECT_TRUE(has(m, (d / "absent.json").string())) << m;
  EXPECT_EQ(ps::read_json_file_strict((d / "ok.json").string())["lr"], 1);
  fs::remove_all(d);
}

TEST(JsonNestingDepth, CountsContainersOutsideStrings) {
  EXPECT_EQ(ps::json_nesting_depth("1"), 0);
  EXPECT_EQ(ps::json_nesting_depth("[[{\"a\": [1]}]]"), 4);
  EXPECT_EQ(ps::json_nesting_depth("{\"a\": \"[[[[\\\"[[\"}"), 1);
  EXPECT_EQ(ps::json_nesting_depth(std::string(100000, '[') + std::string(100000, ']')), 100000);
}
