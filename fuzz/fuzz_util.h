// Shared by the fuzz targets: a file holding the input (the readers under test take paths).
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ps_fuzz {

// A per-process temporary file rewritten with each input; its path.
inline const std::string& input_file(const uint8_t* data, size_t size, const char* suffix) {
  static std::string path;
  if (path.empty()) {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir ? dir : "/tmp") + "/ps_fuzz_" + std::to_string(::getpid()) + suffix;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace ps_fuzz
