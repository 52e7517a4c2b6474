// Reading a config object field by field with errors that name the file and the field path:
//   Fields f(j["optim"], "configs/demo.json", "optim");
//   f.number("lr", cfg.lr, 0, 10, /*lo_open=*/true);   // "configs/demo.json: optim.lr: must be in (0, 10], got -1"
//   f.finish();                                        // any field not read is "unknown field"
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ps::train {

class Fields {
 public:
  Fields(const nlohmann::json& j, std::string file, std::string path);
  bool has(const char* key) const;
  // Each reader leaves `out` unchanged when the key is absent.
  void number(const char* key, double& out, double lo, double hi, bool lo_open = false, bool hi_open = false);
  void integer(const char* key, int64_t& out, int64_t lo, int64_t hi);
  void integer(const char* key, int& out, int64_t lo, int64_t hi);
  void boolean(const char* key, bool& out);
  void string(const char* key, std::string& out);
  void choice(const char* key, std::string& out, const std::vector<std::string>& allowed);
  void strings(const char* key, std::vector<std::string>& out);
  const nlohmann::json* object(const char* key);  // null when absent; error when not an object
  const nlohmann::json& raw(const char* key);     // marks read
  void finish() const;                            // throws on unknown fields
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const;
  std::string name(const std::string& key) const;  // "optim.lr"
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json& j_;
  std::string file_, path_;
  std::set<std::string> read_;
};

}  // namespace ps::train
