#include "common/text.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdio.h>

#include "common/error.h"
#include "common/fileio.h"

namespace ps {

bool split_csv(const std::string& line, std::vector<std::string>& fields, char sep) {
  return split_csv(line, fields, sep, nullptr);
}

bool split_csv(const std::string& line, std::vector<std::string>& fields, char sep, std::string* error) {
  fields.clear();
  auto bad = [&](const std::string& msg) {
    if (error) *error = msg + " in field " + std::to_string(fields.size() + 1);
    return false;
  };
  size_t i = 0;
  while (true) {
    std::string cur;
    if (i < line.size() && line[i] == '"') {
      size_t j = i + 1;
      while (true) {
        if (j >= line.size()) return bad("unterminated quoted field (a quote is left open)");
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            cur += '"';
            j += 2;
            continue;
          }
          break;
        }
        cur += line[j++];
      }
      i = j + 1;  // past the closing quote
      if (i < line.size() && line[i] != sep)
        return bad(std::string("text after the closing quote ('") + line[i] + "')");
    } else {
      size_t j = i;
      while (j < line.size() && line[j] != sep) {
        if (line[j] == '"') return bad("a quote inside an unquoted field (quote the whole field and double the quote)");
        ++j;
      }
      cur.assign(line, i, j - i);
      i = j;
    }
    fields.push_back(std::move(cur));
    if (i >= line.size()) return true;
    ++i;  // the separator
  }
}

size_t find_invalid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return i;  // a continuation byte, C0/C1 (overlong) or F5..FF
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string::npos;
}

std::vector<std::string> split_tsv(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    if (tab == std::string::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string join_csv(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  return out;
}

LineReader::LineReader(const std::string& path) : path_(path) {
  check_input_file(path);
  f_ = std::fopen(path.c_str(), "rb");
  if (!f_) throw Error(where(path, 0, std::string("cannot open: ") + std::strerror(errno)));
}

LineReader::~LineReader() {
  if (f_) std::fclose(f_);
  std::free(buf_);
}

bool LineReader::next(std::string& line) {
  ssize_t n = ::getline(&buf_, &cap_, f_);
  if (n < 0) {
    if (std::ferror(f_)) throw Error(where(path_, line_no_ + 1, "read error"));
    line.clear();
    return false;
  }
  bytes_ += n;
  if (n > 0 && buf_[n - 1] == '\n') --n;
  if (n > 0 && buf_[n - 1] == '\r') --n;
  line.assign(buf_, size_t(n));
  ++line_no_;
  return true;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

}  // namespace ps
