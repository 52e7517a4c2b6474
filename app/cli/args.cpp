#include "cli/args.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
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

namespace {

bool blank_or_sign_only(const std::string& s) {
  return s.empty() || std::isspace(static_cast<unsigned char>(s[0])) || s == "+" || s == "-";
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

long Args::get_int(const std::string& name, long fallback) const {
  if (!has(name)) return fallback;
  const std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (blank_or_sign_only(s) || *end != '\0')
    throw UsageError(command_ + ": --" + name + " expects an integer, got '" + s + "'");
  if (errno == ERANGE)
    throw UsageError(command_ + ": --" + name + " is out of range, got '" + s + "'");
  return v;
}

long Args::get_int(const std::string& name, long fallback, long min, long max) const {
  if (!has(name)) return fallback;
  const long v = get_int(name, fallback);
  if (v < min || v > max)
    throw UsageError(command_ + ": --" + name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + get(name));
  return v;
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (blank_or_sign_only(s) || *end != '\0')
    throw UsageError(command_ + ": --" + name + " expects a number, got '" + s + "'");
  if (!std::isfinite(v))
    throw UsageError(command_ + ": --" + name + " must be a finite number, got '" + s + "'");
  // ERANGE on underflow gives a (denormal or zero) value close to the literal: accept it.
  if (errno == ERANGE && std::fabs(v) > 1.0)
    throw UsageError(command_ + ": --" + name + " is out of range, got '" + s + "'");
  return v;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) const {
  if (!has(name)) return fallback;
  const double v = get_double(name, fallback);
  if (v < min || v > max)
    throw UsageError(command_ + ": --" + name + " must be between " + fmt_double(min) + " and " + fmt_double(max) +
                     ", got " + get(name));
  return v;
}

std::string Args::get_choice(const std::string& name, const std::string& fallback,
                             const std::vector<std::string>& choices) const {
  const std::string v = get(name, fallback);
  for (const auto& c : choices)
    if (v == c) return v;
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i)
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  throw UsageError(command_ + ": --" + name + " must be " + (choices.size() > 1 ? "one of " : "") + list + ", got '" + v + "'");
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
