// A small command-line parser: `--name value`, `--name=value`, `--flag`, positionals.
// Every command declares its options, so an unknown flag is an error, not ignored.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace ps::cli {

// Bad usage: printed with the command's help and exit code 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

struct Option {
  std::string name;   // without the leading "--"
  bool takes_value;
  std::string help;
};

class Args {
 public:
  Args(std::string command, const std::vector<std::string>& argv, std::vector<Option> options);

  bool has(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = "") const;
  long get_int(const std::string& name, long fallback) const;
  double get_double(const std::string& name, double fallback) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string help() const;  // one line per option

 private:
  const Option* find(const std::string& name) const;
  std::string command_;
  std::vector<Option> options_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace ps::cli
