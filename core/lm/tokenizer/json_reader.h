// A small streaming JSON reader for tokenizer.json. The file is 11 MB, almost all of it
// model.vocab (151k entries) and model.merges (151k pairs); building a generic DOM for
// those costs more than a second, so the loader streams them straight into its tables
// and reads only the small remaining parts as nlohmann::json values.
// Errors throw ps::Error naming the file and line.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ps::tokenizer {

class JsonReader {
 public:
  JsonReader(std::string_view text, std::string source) : s_(text), source_(std::move(source)) {}

  // Object iteration: call begin_object(), then while (next_key(key)) { read the value }.
  void begin_object(const std::string& field);
  bool next_key(std::string& key);
  // Array iteration: begin_array(), then while (next_element()) { read the value }.
  void begin_array(const std::string& field);
  bool next_element();

  char peek();  // next non-space character ('\0' at the end)
  void read_string(std::string& out, const std::string& field);
  int64_t read_integer(const std::string& field);
  nlohmann::json read_value();  // any value, as nlohmann::json
  void expect_end();

  [[noreturn]] void fail(const std::string& message) const;

 private:
  void skip_ws();
  void expect(char c, const char* what);
  uint32_t read_hex4();

  std::string_view s_;
  size_t pos_ = 0;
  std::string source_;
  // Per open container: whether the next member/element is the first.
  std::string first_;
};

}  // namespace ps::tokenizer
