#include "train/json_fields.h"

#include <cmath>

#include "common/error.h"

namespace ps::train {

Fields::Fields(const nlohmann::json& j, std::string file, std::string path) : j_(j), file_(std::move(file)), path_(std::move(path)) {
  if (!j_.is_object()) throw Error(file_ + ": " + (path_.empty() ? "the config" : path_) + ": expected a JSON object");
}

std::string Fields::name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void Fields::fail(const std::string& key, const std::string& msg) const { throw Error(file_ + ": " + name(key) + ": " + msg); }

bool Fields::has(const char* key) const { return j_.contains(key); }

const nlohmann::json& Fields::raw(const char* key) {
  read_.insert(key);
  return j_.at(key);
}

void Fields::number(const char* key, double& out, double lo, double hi, bool lo_open, bool hi_open) {
  if (!has(key)) return;
  const auto& v = raw(key);
  if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
  const double x = v.get<double>();
  const bool ok = std::isfinite(x) && (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  if (!ok) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be in %s%g, %g%s, got %s", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]",
                  v.dump().c_str());
    fail(key, buf);
  }
  out = x;
}

void Fields::integer(const char* key, int64_t& out, int64_t lo, int64_t hi) {
  if (!has(key)) return;
  const auto& v = raw(key);
  if (!v.is_number_integer()) fail(key, "expected an integer, got " + v.dump());
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail(key, "out of range: " + v.dump());
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi) fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
  out = x;
}

void Fields::integer(const char* key, int& out, int64_t lo, int64_t hi) {
  int64_t x = out;
  integer(key, x, lo, hi);
  out = static_cast<int>(x);
}

void Fields::boolean(const char* key, bool& out) {
  if (!has(key)) return;
  const auto& v = raw(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + v.dump());
  out = v.get<bool>();
}

void Fields::string(const char* key, std::string& out) {
  if (!has(key)) return;
  const auto& v = raw(key);
  if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
  out = v.get<std::string>();
}

void Fields::choice(const char* key, std::string& out, const std::vector<std::string>& allowed) {
  std::string v = out;
  string(key, v);
  for (const auto& a : allowed)
    if (a == v) {
      out = v;
      return;
    }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  fail(key, "must be one of " + list + ", got \"" + v + "\"");
}

void Fields::strings(const char* key, std::vector<std::string>& out) {
  if (!has(key)) return;
  const auto& v = raw(key);
  if (!v.is_array()) fail(key, "expected a list of strings, got " + v.dump());
  std::vector<std::string> r;
  for (const auto& e : v) {
    if (!e.is_string()) fail(key, "expected a list of strings, got " + v.dump());
    r.push_back(e.get<std::string>());
  }
  out = r;
}

const nlohmann::json* Fields::object(const char* key) {
  if (!has(key)) return nullptr;
  const auto& v = raw(key);
  if (!v.is_object()) fail(key, "expected an object, got " + v.dump());
  return &v;
}

void Fields::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it)
    if (!read_.count(it.key()) && it.key().rfind("_comment", 0) != 0) fail(it.key(), "unknown field");
}

}  // namespace ps::train
