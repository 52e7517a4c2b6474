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

// Splits on a one-character separator. With quotes=true, double-quoted CSV fields may
// hold the separator ("a,b") and doubled quotes; the quotes are stripped, "" stays "".
void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out, bool quotes = false);

// 64-bit FNV-1a of bytes: cache keys of input files.
uint64_t fnv1a64(std::string_view bytes, uint64_t h = 1469598103934665603ULL);

}  // namespace ps::data
