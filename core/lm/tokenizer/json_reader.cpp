#include "lm/tokenizer/json_reader.h"

#include <algorithm>
#include <cstdlib>

#include "common/error.h"
#include "lm/tokenizer/unicode.h"

namespace ps::tokenizer {

void JsonReader::fail(const std::string& message) const {
  const size_t at = std::min(pos_, s_.size());
  const long line = 1 + static_cast<long>(std::count(s_.begin(), s_.begin() + static_cast<long>(at), '\n'));
  throw Error(where(source_, line, message));
}

void JsonReader::skip_ws() {
  while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
}

char JsonReader::peek() {
  skip_ws();
  return pos_ < s_.size() ? s_[pos_] : '\0';
}

void JsonReader::expect(char c, const char* what) {
  if (peek() != c) {
    fail(std::string("malformed JSON: expected '") + c + "' " + what +
         (pos_ < s_.size() ? std::string(", found '") + s_[pos_] + "'" : std::string(", found the end of the file")));
  }
  ++pos_;
}

void JsonReader::expect_end() {
  if (peek() != '\0') fail("malformed JSON: unexpected text after the top-level value");
}

void JsonReader::begin_object(const std::string& field) {
  const char c = peek();
  if (c == '\0') fail("malformed JSON: unexpected end of file");
  if (c != '{') fail("field " + field + ": expected an object");
  ++pos_;
  first_.push_back(1);
}

bool JsonReader::next_key(std::string& key) {
  if (peek() == '}') {
    ++pos_;
    first_.pop_back();
    return false;
  }
  if (!first_.back()) expect(',', "between object members");
  first_.back() = 0;
  if (peek() != '"') fail("malformed JSON: expected a member name");
  read_string(key, "member name");
  expect(':', "after a member name");
  return true;
}

void JsonReader::begin_array(const std::string& field) {
  const char c = peek();
  if (c == '\0') fail("malformed JSON: unexpected end of file");
  if (c != '[') fail("field " + field + ": expected an array");
  ++pos_;
  first_.push_back(1);
}

bool JsonReader::next_element() {
  if (peek() == ']') {
    ++pos_;
    first_.pop_back();
    return false;
  }
  if (!first_.back()) expect(',', "between array elements");
  first_.back() = 0;
  return true;
}

uint32_t JsonReader::read_hex4() {
  if (pos_ + 4 > s_.size()) fail("malformed JSON: truncated \\u escape");
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) {
    const char c = s_[pos_++];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
    else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
    else fail("malformed JSON: bad \\u escape");
  }
  return v;
}

void JsonReader::read_string(std::string& out, const std::string& field) {
  if (peek() != '"') fail("field " + field + ": expected a string");
  ++pos_;
  out.clear();
  for (;;) {
    // Copy the run of plain characters in one go.
    size_t run = pos_;
    while (run < s_.size() && s_[run] != '"' && s_[run] != '\\' && static_cast<unsigned char>(s_[run]) >= 0x20) ++run;
    out.append(s_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ >= s_.size()) fail("malformed JSON: unterminated string");
    const char c = s_[pos_++];
    if (c == '"') return;
    if (c != '\\') fail("malformed JSON: control character in a string");
    if (pos_ >= s_.size()) fail("malformed JSON: unterminated string");
    const char e = s_[pos_++];
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp = read_hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') fail("malformed JSON: lone surrogate");
          pos_ += 2;
          const uint32_t lo = read_hex4();
          if (lo < 0xDC00 || lo > 0xDFFF) fail("malformed JSON: bad surrogate pair");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail("malformed JSON: lone surrogate");
        }
        append_utf8(out, cp);
        break;
      }
      default: fail(std::string("malformed JSON: bad escape \\") + e);
    }
  }
}

int64_t JsonReader::read_integer(const std::string& field) {
  skip_ws();
  const size_t start = pos_;
  if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
  while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
  const size_t digits = pos_ - start;
  if (digits == 0 || (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) || digits > 18) {
    pos_ = start;
    fail("field " + field + ": expected an integer");
  }
  return std::strtoll(std::string(s_.substr(start, digits)).c_str(), nullptr, 10);
}

nlohmann::json JsonReader::read_value() {
  const char c = peek();
  if (c == '{') {
    nlohmann::json obj = nlohmann::json::object();
    begin_object("(value)");
    std::string key;
    while (next_key(key)) obj[key] = read_value();
    return obj;
  }
  if (c == '[') {
    nlohmann::json arr = nlohmann::json::array();
    begin_array("(value)");
    while (next_element()) arr.push_back(read_value());
    return arr;
  }
  if (c == '"') {
    std::string s;
    read_string(s, "(value)");
    return s;
  }
  // A scalar: hand the literal to nlohmann.
  const size_t start = pos_;
  while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' && s_[pos_] != ' ' &&
         s_[pos_] != '\n' && s_[pos_] != '\r' && s_[pos_] != '\t')
    ++pos_;
  if (pos_ == start) fail("malformed JSON: expected a value");
  try {
    return nlohmann::json::parse(s_.substr(start, pos_ - start));
  } catch (const nlohmann::json::parse_error&) {
    pos_ = start;
    fail("malformed JSON: bad value '" + std::string(s_.substr(start, std::min<size_t>(20, s_.size() - start))) + "'");
  }
}

}  // namespace ps::tokenizer
