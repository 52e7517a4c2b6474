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
//
// Options from a JSON file (read_config, `--config FILE` of eval and ttc): an object
//   {"kind": "<command>", "cell_line": "k562", "n": 200, "tau_sweep": true, "strategies": ["greedy", "sc"]}
// whose keys are the long option names with '_' for '-' (the file's convention; "cell-line" is an
// unknown field that names its spelling with '_'), and whose values are typed by the option's Kind:
// Integer a JSON integer, Number any JSON number, Text a string, List an array of strings (or one
// comma-separated string), a flag true or false (false = not given). null means "not given" (the
// default applies). "kind", when present, must be the command's name; keys starting with
// "_comment" are ignored. Flags given on the command line override the file (they come later; a
// flag set true in the file cannot be turned off there). Unknown keys, wrong types and the
// options that make no sense in a file (config, store, validate, json, help) are ps::Error (exit
// 1) "FILE: key: why". Every later error about a value that came from the file (fail()) names the
// file and the key, exit 1, like the training configs; a value from the command line keeps its
// usage error "command: --name why", exit 2.
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
  // What a config file's value must be (read_config); a flag (takes_value false) is a boolean.
  enum class Kind { Text, Integer, Number, List };
  std::string name;   // without the leading "--"
  bool takes_value;
  std::string help;
  Kind kind = Kind::Text;
  std::string group;  // heading in --help and in the GUI launcher's form ("" = none); cmake/CliOptionDocs.cmake reads it
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
  std::string help() const;  // one line per option, under its group's heading

  // Reads options from a JSON config file (the format above); the command line's values, read
  // already, stay later and so win. ps::Error naming the file and the key for bad content.
  void read_config(const std::string& path);
  const std::string& config_path() const { return config_path_; }  // "" without read_config
  // Whether the value of `name` came from the config file (and not from the command line).
  bool from_config(const std::string& name) const;
  // The file's key of an option: "cell-line" -> "cell_line".
  static std::string config_key(const std::string& name);
  // When both options are given and exactly one of them on the command line, forgets the file's
  // value of the other (`--model DIR` on the command line replaces the file's "run").
  void prefer_command_line(const std::string& a, const std::string& b);
  // A bad or missing value of `name`: ps::Error "FILE: key: msg" when it came from the config
  // file, or is missing and a config file was read; else UsageError "command: --name msg".
  [[noreturn]] void fail(const std::string& name, const std::string& msg) const;
  // As fail() for inputs the value names (a folder, a run): ps::Error either way (exit 1),
  // "FILE: key: msg" or "--name: msg" (main() names the command before it).
  [[noreturn]] void fail_input(const std::string& name, const std::string& msg) const;
  const std::string& command() const { return command_; }

 private:
  const Option* find(const std::string& name) const;
  std::string command_;
  std::vector<Option> options_;
  std::vector<std::pair<std::string, std::string>> values_;  // in order; the last occurrence wins
  size_t config_values_ = 0;   // values_[0, config_values_) came from the config file
  std::string config_path_;
  std::vector<std::string> positionals_;
};

}  // namespace ps::cli
