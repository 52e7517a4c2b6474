#include "data/text_file.h"

#include <cstdio>
#include <cstring>

#include "common/error.h"

namespace ps::data {

std::string read_file(const std::string& path) {
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

void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out, bool quotes) {
  out.clear();
  size_t i = 0;
  while (true) {
    if (quotes && i < line.size() && line[i] == '"') {
      // Quoted field: up to the closing quote (a doubled quote stays inside).
      size_t j = i + 1;
      while (j < line.size()) {
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') { j += 2; continue; }
          break;
        }
        ++j;
      }
      out.push_back(line.substr(i + 1, j - i - 1));
      i = j + 1;
      if (i >= line.size()) return;
      if (line[i] == sep) { ++i; continue; }
      // Text after the closing quote: keep it in the field rather than dropping it.
      size_t k = line.find(sep, i);
      if (k == std::string_view::npos) return;
      i = k + 1;
      continue;
    }
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
