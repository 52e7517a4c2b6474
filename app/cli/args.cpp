#include "cli/args.h"

#include <cerrno>
#include <cstdlib>

namespace ps::cli {

Args::Args(std::string command, const std::vector<std::string>& argv, std::vector<Option> options)
    : command_(std::move(command)), options_(std::move(options)) {
  options_.push_back({"help", false, "show this help"});
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      const Option* opt = find(name);
      if (!opt) throw UsageError(command_ + ": unknown option --" + name);
      if (opt->takes_value && !inline_value) {
        if (i + 1 >= argv.size()) throw UsageError(command_ + ": option --" + name + " needs a value");
        value = argv[++i];
      } else if (!opt->takes_value && inline_value) {
        throw UsageError(command_ + ": option --" + name + " takes no value");
      }
      values_.emplace_back(name, value);
    } else if (a == "-h") {
      values_.emplace_back("help", "");
    } else {
      positionals_.push_back(a);
    }
  }
}

const Option* Args::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

bool Args::has(const std::string& name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return true;
  return false;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  std::string out = fallback;
  for (const auto& [k, v] : values_)
    if (k == name) out = v;  // the last occurrence wins
  return out;
}

long Args::get_int(const std::string& name, long fallback) const {
  if (!has(name)) return fallback;
  std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0)
    throw UsageError(command_ + ": --" + name + " expects an integer, got '" + s + "'");
  return v;
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno != 0)
    throw UsageError(command_ + ": --" + name + " expects a number, got '" + s + "'");
  return v;
}

std::string Args::help() const {
  std::string out;
  for (const auto& o : options_) {
    std::string left = "  --" + o.name + (o.takes_value ? " VALUE" : "");
    if (left.size() < 28) left.resize(28, ' ');
    out += left + " " + o.help + "\n";
  }
  return out;
}

}  // namespace ps::cli
