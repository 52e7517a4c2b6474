// Runs the perturbscope-cli binary as a subprocess and captures what it prints.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sanitizer_report.h"

namespace test_cli {

struct Result {
  int code = -1;
  std::string out, err;
  std::string all() const { return out + err; }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `env` is prepended as shell assignments, e.g. "PERTURBSCOPE_DATA=/x".
inline Result cli(const std::string& args, const std::string& env = "") {
  namespace fs = std::filesystem;
  static int n = 0;
  fs::path base = fs::temp_directory_path() / ("ps_cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  // Plain progress lines unless the test asks for another style.
  std::string style = env.find("PERTURBSCOPE_PROGRESS") == std::string::npos ? " PERTURBSCOPE_PROGRESS=lines " : " ";
  std::string cmd = env + style + PERTURBSCOPE_CLI_PATH + " " + args + " >" + base.string() +
                    ".out 2>" + base.string() + ".err";
  int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(base.string() + ".out");
  r.err = slurp(base.string() + ".err");
  fs::remove(base.string() + ".out");
  fs::remove(base.string() + ".err");
  ps::test::expect_no_sanitizer_report(r.code, r.err, "perturbscope-cli " + args);
  return r;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace test_cli
