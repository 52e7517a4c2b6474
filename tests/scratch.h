// A per-process scratch folder for tests that write their own input files.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ps::test {

// <tmp>/ps_test_<tag>_<pid>, created on first use (the pid keeps parallel ctest runs apart).
inline std::filesystem::path scratch_dir(const std::string& tag) {
  std::filesystem::path d = std::filesystem::temp_directory_path() / ("ps_test_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

// Writes `text` to scratch_dir(tag)/name; returns the file's path.
inline std::string write_scratch_file(const std::string& tag, const std::string& name, const std::string& text) {
  const std::filesystem::path p = scratch_dir(tag) / name;
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace ps::test
