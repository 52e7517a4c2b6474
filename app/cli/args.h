// A small command-line parser: `--name value`, `--name=value`, `--flag`, positionals.
// Every command declares its options, so an unknown flag is an error, not ignored.
//
// Numbers are parsed strictly: the whole value must be a number (no leading blanks, no
// trailing characters), an integer must fit in a long (no silent wrap or saturation), and
// get_double() accepts only finite values (nan, inf and overflowing literals are usage
// errors naming the flag). The range-taking getters also check [min, max] inclusive, so a
// value is never narrowed when the caller stores it in a smaller type: pass that type's
// range (or a tighter one) as the bounds.
//
// Every bad flag value is a usage error (exit 2): a number out of range, a name outside a flag's
// list of choices (get_choice), a value a parser refuses (get_parsed). Exit 1 is kept for inputs
// that are not flags' values: files, data, stores, the environment.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.h"

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
  // A base-10 integer that fits in a long; UsageError naming the flag otherwise.
  long get_int(const std::string& name, long fallback) const;
  // As get_int, and within [min, max]; UsageError "--name must be between min and max, got v".
  long get_int(const std::string& name, long fallback, long min, long max) const;
  // A finite number (nan, inf and out-of-range literals are rejected).
  double get_double(const std::string& name, double fallback) const;
  // As get_double, and within [min, max].
  double get_double(const std::string& name, double fallback, double min, double max) const;
  // One of `choices`, spelt exactly; UsageError "--name must be one of a, b or c, got 'x'" otherwise.
  std::string get_choice(const std::string& name, const std::string& fallback,
                         const std::vector<std::string>& choices) const;
  // parse(the flag's value), given; a ps::Error it throws becomes a UsageError "command: --name: why".
  template <class Parse>
  auto get_parsed(const std::string& name, Parse parse) const -> decltype(parse(std::string())) {
    try {
      return parse(get(name));
    } catch (const ps::Error& e) {
      throw UsageError(command_ + ": --" + name + ": " + e.what());
    }
  }
  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string help() const;  // one line per option
  const std::string& command() const { return command_; }

 private:
  const Option* find(const std::string& name) const;
  std::string command_;
  std::vector<Option> options_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace ps::cli
