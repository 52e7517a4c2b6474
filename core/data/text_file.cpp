#include "data/text_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "common/fileio.h"

namespace ps::data {

std::string read_file(const std::string& path) {
  ps::check_input_file(path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ps::Error(ps::where(path, 0, std::string("cannot open: ") + std::strerror(errno)));
  std::string out;
  if (std::fseek(f, 0, SEEK_END) == 0) {  // one allocation for regular files
    const long size = std::ftell(f);
    if (size > 0) out.reserve(static_cast<size_t>(size));
    std::rewind(f);
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw ps::Error(ps::where(path, 0, "read error"));
  return out;
}

bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const char* start = text_.data() + pos_;
  const void* nl = std::memchr(start, '\n', text_.size() - pos_);
  size_t len = nl ? static_cast<const char*>(nl) - start : text_.size() - pos_;
  pos_ += len + (nl ? 1 : 0);
  if (len > 0 && start[len - 1] == '\r') --len;
  line = std::string_view(start, len);
  ++line_no_;
  return true;
}

namespace {

// One RFC 4180 record from text[pos]. With `multiline`, a line break (CRLF, LF or a bare CR) outside
// quotes ends the record and one inside quotes is part of the field (counted in `breaks`); without
// it, CR and LF are ordinary bytes and the record runs to the end of `text`. On success `pos` is the
// start of the next record; on failure `error` names the 1-based field and `error_breaks` counts the
// line breaks before the line of the fault (for an unterminated quote: the line where it opened).
bool parse_record(std::string_view t, size_t& pos, char sep, bool multiline, std::vector<detail::CsvSpan>& spans,
                  std::string& buf, long& breaks, std::string& error, long& error_breaks) {
  spans.clear();
  buf.clear();
  breaks = 0;
  const size_t n = t.size();
  auto eol = [&](size_t k) { return multiline && (t[k] == '\n' || t[k] == '\r'); };
  auto fail = [&](const std::string& msg, size_t field, long at) {
    error = msg + " in field " + std::to_string(field);
    error_breaks = at;
    return false;
  };
  auto shown = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) return std::string("'") + c + "'";
    char b[16];
    std::snprintf(b, sizeof b, "byte 0x%02X", u);
    return std::string(b);
  };
  size_t i = pos;
  while (true) {
    const size_t field = spans.size() + 1;
    if (i < n && t[i] == '"') {
      const size_t begin = buf.size();
      const long open_breaks = breaks;
      size_t j = i + 1;
      while (true) {
        if (j >= n)
          return fail(multiline ? "unterminated quoted field (its opening quote on this line is never closed)"
                                : "unterminated quoted field (a quote is left open)",
                      field, open_breaks);
        const char c = t[j];
        if (c == '"') {
          if (j + 1 < n && t[j + 1] == '"') {
            buf.push_back('"');
            j += 2;
            continue;
          }
          break;
        }
        if (multiline && (c == '\n' || (c == '\r' && (j + 1 >= n || t[j + 1] != '\n')))) ++breaks;
        buf.push_back(c);
        ++j;
      }
      spans.push_back({true, begin, buf.size() - begin});
      i = j + 1;  // past the closing quote
      if (i < n && t[i] != sep && !eol(i))
        return fail("text after the closing quote (" + shown(t[i]) + ")", field, breaks);
    } else {
      size_t j = i;
      while (j < n && t[j] != sep && !eol(j)) {
        if (t[j] == '"')
          return fail("a quote inside an unquoted field (quote the whole field and double the quote)", field, breaks);
        ++j;
      }
      spans.push_back({false, i, j - i});
      i = j;
    }
    if (i >= n) {
      pos = n;
      return true;
    }
    if (t[i] == sep) {
      ++i;
      continue;
    }
    i += (t[i] == '\r' && i + 1 < n && t[i + 1] == '\n') ? 2 : 1;  // the line break that ends the record
    pos = i;
    return true;
  }
}

void make_views(std::string_view text, const std::string& buf, const std::vector<detail::CsvSpan>& spans,
                std::vector<std::string_view>& out) {
  out.clear();
  for (const auto& s : spans)
    out.push_back(s.in_buf ? std::string_view(buf.data() + s.begin, s.len) : text.substr(s.begin, s.len));
}

}  // namespace

bool split_csv_record(std::string_view line, char sep, std::vector<std::string_view>& out, std::string& storage,
                      std::string& error) {
  out.clear();
  storage.clear();
  storage.reserve(line.size());  // unescaping never grows a field: views into storage stay valid
  thread_local std::vector<detail::CsvSpan> spans;
  size_t pos = 0;
  long breaks = 0, error_breaks = 0;
  if (!parse_record(line, pos, sep, false, spans, storage, breaks, error, error_breaks)) return false;
  make_views(line, storage, spans, out);
  return true;
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  error_.clear();
  if (pos_ >= text_.size()) return false;
  line_ = next_line_;
  long breaks = 0, error_breaks = 0;
  if (!parse_record(text_, pos_, sep_, true, spans_, buf_, breaks, error_, error_breaks)) {
    error_line_ = line_ + error_breaks;
    pos_ = text_.size();  // no resynchronising after a malformed record
    return false;
  }
  end_line_ = line_ + breaks;
  next_line_ = end_line_ + 1;
  blank_ = spans_.size() == 1 && !spans_[0].in_buf && spans_[0].len == 0;
  make_views(text_, buf_, spans_, fields);
  return true;
}

void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out, bool quotes) {
  if (quotes) {
    thread_local std::string storage;
    std::string error;
    if (!split_csv_record(line, sep, out, storage, error)) throw ps::Error("malformed CSV record: " + error);
    return;
  }
  out.clear();
  size_t i = 0;
  while (true) {
    size_t j = line.find(sep, i);
    if (j == std::string_view::npos) {
      out.push_back(line.substr(i));
      return;
    }
    out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
}

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace ps::data
