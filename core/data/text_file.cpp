#include "data/text_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "common/error.h"

namespace ps::data {

std::string read_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw ps::Error(ps::where(path, 0, "is a folder, not a file"));
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

bool split_csv_record(std::string_view line, char sep, std::vector<std::string_view>& out, std::string& storage,
                      std::string& error) {
  out.clear();
  storage.clear();
  storage.reserve(line.size());  // unescaping never grows a field: views into storage stay valid
  auto bad = [&](const std::string& msg) {
    error = msg + " in field " + std::to_string(out.size() + 1);
    return false;
  };
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      const size_t begin = storage.size();
      size_t j = i + 1;
      while (true) {
        if (j >= line.size()) return bad("unterminated quoted field (a quote is left open)");
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            storage.push_back('"');
            j += 2;
            continue;
          }
          break;
        }
        storage.push_back(line[j++]);
      }
      out.emplace_back(storage.data() + begin, storage.size() - begin);
      i = j + 1;
      if (i < line.size() && line[i] != sep)
        return bad(std::string("text after the closing quote ('") + line[i] + "')");
    } else {
      size_t j = i;
      while (j < line.size() && line[j] != sep) {
        if (line[j] == '"') return bad("a quote inside an unquoted field (quote the whole field and double the quote)");
        ++j;
      }
      out.push_back(line.substr(i, j - i));
      i = j;
    }
    if (i >= line.size()) return true;
    ++i;
  }
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
