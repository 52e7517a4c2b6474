// Fast reading of the mirror's CSV/TSV files: the whole file in memory, lines and fields
// as string_views into it (no per-field allocation). Used by the PerturbQA loader and
// the knowledge-graph builder.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ps::data {

namespace detail {
struct CsvSpan {  // a parsed field: [begin, begin + len) of the text, or of the unescaping buffer
  bool in_buf;
  size_t begin, len;
};
}  // namespace detail

// The file's bytes; throws ps::Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

// Iterates over lines ("\n" or "\r\n"), counting from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line);
  long line_number() const { return line_no_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long line_no_ = 0;
};

// Splits on a one-character separator. With quotes=true, fields follow RFC 4180 (as
// split_csv_record), the views then point into a per-thread buffer valid until the next call on
// this thread, and a malformed record throws ps::Error (without a file name: prefer
// split_csv_record, which lets the caller name the file and line).
void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out, bool quotes = false);

// One CSV record by RFC 4180, on one line: a field is unquoted (no '"' inside) or wholly quoted
// with "" for a quote ("AB""C" -> AB"C). Unquoted fields are views into `line`; unescaped ones live
// in `storage` (reserved to the line's size, so the views stay valid until storage is reused).
// Returns false for a malformed record and says why in `error` (text after a closing quote, a
// quote in an unquoted field, an unterminated quote), naming the 1-based field. A file whose
// quoted fields may hold line breaks needs CsvReader instead.
bool split_csv_record(std::string_view line, char sep, std::vector<std::string_view>& out, std::string& storage,
                      std::string& error);

// The records of a whole CSV text by RFC 4180, where a quoted field may hold separators, doubled
// quotes and line breaks ("A\nB" quoted is one field of three bytes). Records end at CRLF, LF or
// a bare CR (classic Mac OS files) outside quotes; lines are counted the same way, from 1, so a
// record that spans lines reports its first and last line. A line break inside a quoted field is
// kept as written (CRLF stays two bytes): callers validate what a field may hold.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text, char sep = ',') : text_(text), sep_(sep) {}
  // The next record's fields: views into the text, or (unescaped quoted fields) into a buffer
  // that stays valid until the next call. Returns false at the end of the text, and also on a
  // malformed record: then error() says why (naming the 1-based field) and error_line() where.
  bool next(std::vector<std::string_view>& fields);
  long line() const { return line_; }          // first line of the last record read
  long end_line() const { return end_line_; }  // its last line (> line() when a quoted field spans lines)
  bool blank() const { return blank_; }        // the last record was an empty line
  const std::string& error() const { return error_; }  // empty unless next() stopped at a malformed record
  long error_line() const { return error_line_; }

 private:
  std::string_view text_;
  char sep_;
  size_t pos_ = 0;
  long next_line_ = 1, line_ = 0, end_line_ = 0, error_line_ = 0;
  bool blank_ = false;
  std::string buf_, error_;
  std::vector<detail::CsvSpan> spans_;
};

// 64-bit FNV-1a of bytes: cache keys of input files.
uint64_t fnv1a64(std::string_view bytes, uint64_t h = 1469598103934665603ULL);

}  // namespace ps::data
