// Text helpers for the CSV/TSV files of the data mirror and the CLI's exports.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace ps {

// Splits one CSV record on `sep` by RFC 4180: a field is either unquoted (no '"' inside) or
// wholly enclosed in double quotes, where "" stands for one quote ("say ""hi""" -> say "hi").
// Returns false for a malformed record: a quote left open (also a record spanning lines), text
// after a closing quote ("AARS2"X), or a quote inside an unquoted field (AB"C); `error`, when
// given, then says which and where (1-based field number).
bool split_csv(const std::string& line, std::vector<std::string>& fields, char sep = ',');
bool split_csv(const std::string& line, std::vector<std::string>& fields, char sep, std::string* error);
// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates, code points
// above U+10FFFF and truncated sequences are invalid), or std::string::npos when s is valid.
size_t find_invalid_utf8(const std::string& s);
// Splits on tabs; no quoting (the TSV files of the mirror have none).
std::vector<std::string> split_tsv(const std::string& line);
// A field for a CSV file: quoted (with doubled quotes) when it holds a comma, quote or newline.
std::string csv_field(const std::string& s);
std::string join_csv(const std::vector<std::string>& fields);

// Reads a text file line by line (without '\n' or a trailing '\r'), counting lines
// from 1. Throws ps::Error naming the path when the file cannot be opened.
class LineReader {
 public:
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  bool next(std::string& line);
  long line_number() const { return line_no_; }
  const std::string& path() const { return path_; }
  long long bytes_read() const { return bytes_; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  char* buf_ = nullptr;  // getline(3)'s buffer, reused across lines
  size_t cap_ = 0;
  long line_no_ = 0;
  long long bytes_ = 0;
};

std::string trim(const std::string& s);

}  // namespace ps
