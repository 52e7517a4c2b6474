// Fast reading of the mirror's CSV/TSV files: the whole file in memory, lines and fields
// as string_views into it (no per-field allocation). Used by the PerturbQA loader and
// the knowledge-graph builder.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ps::data {

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

// One CSV record by RFC 4180: a field is unquoted (no '"' inside) or wholly quoted with "" for a
// quote ("AB""C" -> AB"C). Unquoted fields are views into `line`; unescaped ones live in
// `storage` (reserved to the line's size, so the views stay valid until storage is reused).
// Returns false for a malformed record and says why in `error` (text after a closing quote, a
// quote in an unquoted field, an unterminated quote), naming the 1-based field.
bool split_csv_record(std::string_view line, char sep, std::vector<std::string_view>& out, std::string& storage,
                      std::string& error);

// 64-bit FNV-1a of bytes: cache keys of input files.
uint64_t fnv1a64(std::string_view bytes, uint64_t h = 1469598103934665603ULL);

}  // namespace ps::data
