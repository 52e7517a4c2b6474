// SHA-256 (FIPS 180-4) of bytes, streams and files, as lowercase hex. Used for the
// store's artefact checksums and the data mirror's manifest.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ps {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash; call once

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& bytes);
// Hashes a file in 1 MiB chunks; throws ps::Error naming the path when it cannot be read.
// When bytes_out is given it receives the file's size.
std::string sha256_file(const std::string& path, int64_t* bytes_out = nullptr);

}  // namespace ps
