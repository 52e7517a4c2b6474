#include "common/fileio.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace fs = std::filesystem;

namespace ps {

void check_input_file(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return;
  if (fs::is_directory(st)) throw Error(where(path, 0, "is a folder, not a file"));
  if (!fs::is_regular_file(st)) throw Error(where(path, 0, "is not a regular file (a device, FIFO or socket)"));
}

std::string read_file(const std::string& path) {
  check_input_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(where(path, 0, std::string("cannot read: ") + std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(where(path, 0, "read error"));
  return ss.str();
}

void write_file_atomic(const std::string& path, const std::string& content) {
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  if (ec) throw Error(where(path, 0, "cannot create its folder: " + ec.message()));
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(where(path, 0, std::string("cannot write: ") + std::strerror(errno)));
  const char* d = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, d, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(where(path, 0, std::string("write failed: ") + std::strerror(err)));
    }
    d += n;
    left -= size_t(n);
  }
  // fsync before rename: otherwise a power cut can leave the new name on empty data.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(where(path, 0, std::string("cannot flush: ") + std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(where(path, 0, std::string("cannot rename into place: ") + std::strerror(err)));
  }
}

}  // namespace ps
