#include "cli/args.h"

#include <set>

#include <nlohmann/json.hpp>

#include "train/config.h"

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
  if (blank_or_sign_only(s) || *end != '\0') fail(name, "expects an integer, got '" + s + "'");
  if (errno == ERANGE) fail(name, "is out of range, got '" + s + "'");
  return v;
}

long Args::get_int(const std::string& name, long fallback, long min, long max) const {
  if (!has(name)) return fallback;
  const long v = get_int(name, fallback);
  if (v < min || v > max)
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + get(name));
  return v;
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string s = get(name);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (blank_or_sign_only(s) || *end != '\0') fail(name, "expects a number, got '" + s + "'");
  if (!std::isfinite(v)) fail(name, "must be a finite number, got '" + s + "'");
  // ERANGE on underflow gives a (denormal or zero) value close to the literal: accept it.
  if (errno == ERANGE && std::fabs(v) > 1.0) fail(name, "is out of range, got '" + s + "'");
  return v;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) const {
  if (!has(name)) return fallback;
  const double v = get_double(name, fallback);
  if (v < min || v > max)
    fail(name, "must be between " + fmt_double(min) + " and " + fmt_double(max) + ", got " + get(name));
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
  fail(name, std::string("must be ") + (choices.size() > 1 ? "one of " : "") + list + ", got '" + v + "'");
}

std::string Args::help() const {
  std::string out, group;
  for (const auto& o : options_) {
    if (o.group != group && !o.group.empty()) out += o.group + ":\n";
    group = o.group;
    std::string left = "  --" + o.name + (o.takes_value ? " VALUE" : "");
    if (left.size() < 28) left.resize(28, ' ');
    out += left + " " + o.help + "\n";
  }
  return out;
}

std::string Args::config_key(const std::string& name) {
  std::string k = name;
  for (char& c : k)
    if (c == '-') c = '_';
  return k;
}

bool Args::from_config(const std::string& name) const {
  for (size_t i = values_.size(); i-- > 0;)
    if (values_[i].first == name) return i < config_values_;
  return false;
}

void Args::fail(const std::string& name, const std::string& msg) const {
  if (!config_path_.empty() && (from_config(name) || !has(name)))
    throw Error(config_path_ + ": " + config_key(name) + ": " + msg);
  throw UsageError(command_ + ": --" + name + " " + msg);
}

void Args::fail_input(const std::string& name, const std::string& msg) const {
  if (!config_path_.empty() && (from_config(name) || !has(name)))
    throw Error(config_path_ + ": " + config_key(name) + ": " + msg);
  throw Error("--" + name + ": " + msg);  // main() prefixes "perturbscope-cli COMMAND: error: "
}

void Args::prefer_command_line(const std::string& a, const std::string& b) {
  if (!has(a) || !has(b) || from_config(a) == from_config(b)) return;
  const std::string drop = from_config(a) ? a : b;
  for (size_t i = config_values_; i-- > 0;)
    if (values_[i].first == drop) {
      values_.erase(values_.begin() + static_cast<long>(i));
      --config_values_;
    }
}

void Args::read_config(const std::string& path) {
  using nlohmann::json;
  const json j = train::read_json_file(path);  // names the file: absent, a folder, not JSON, a repeated key
  if (!j.is_object()) throw Error(path + ": expected a JSON object {\"kind\": \"" + command_ + "\", ...}");
  static const std::set<std::string> not_in_files = {"config", "store", "validate", "json", "help"};
  std::vector<std::pair<std::string, std::string>> from_file;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    auto bad = [&](const std::string& msg) { throw Error(path + ": " + key + ": " + msg); };
    if (key.rfind("_comment", 0) == 0) continue;
    if (key == "kind") {
      if (!v.is_string() || v.get<std::string>() != command_)
        bad("must be \"" + command_ + "\" (this is perturbscope-cli " + command_ + "), got " + v.dump());
      continue;
    }
    std::string name = key;
    for (char& c : name)
      if (c == '_') c = '-';
    const Option* opt = key.find('-') == std::string::npos ? find(name) : nullptr;
    if (!opt || not_in_files.count(name)) {
      if (find(key) && !not_in_files.count(key) && key.find('-') != std::string::npos)
        bad("unknown field (write it with '_': \"" + config_key(key) + "\")");
      if (opt) bad("not allowed in a config file (give --" + name + " on the command line)");
      bad("unknown field (not an option of perturbscope-cli " + command_ + ")");
    }
    if (v.is_null()) continue;  // not given: the default applies
    if (!opt->takes_value) {
      if (!v.is_boolean()) bad("expected true or false, got " + v.dump());
      if (v.get<bool>()) from_file.emplace_back(name, "");
      continue;
    }
    std::string text;
    switch (opt->kind) {
      case Option::Kind::Integer:
        if (!v.is_number_integer()) bad("expected an integer, got " + v.dump());
        text = v.dump();
        break;
      case Option::Kind::Number:
        if (!v.is_number()) bad("expected a number, got " + v.dump());
        text = v.dump();
        break;
      case Option::Kind::Text:
        if (!v.is_string()) bad("expected a string, got " + v.dump());
        text = v.get<std::string>();
        break;
      case Option::Kind::List:
        if (v.is_string()) {
          text = v.get<std::string>();
          break;
        }
        if (!v.is_array()) bad("expected a list of strings, got " + v.dump());
        for (const auto& e : v) {
          if (!e.is_string() || e.get<std::string>().empty() || e.get<std::string>().find(',') != std::string::npos)
            bad("expected a list of non-empty strings without commas, got " + v.dump());
          text += (text.empty() ? "" : ",") + e.get<std::string>();
        }
        break;
    }
    from_file.emplace_back(name, text);
  }
  config_path_ = path;
  config_values_ = from_file.size();
  values_.insert(values_.begin(), from_file.begin(), from_file.end());
}

}  // namespace ps::cli
