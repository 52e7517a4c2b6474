#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "common/error.h"
#include "common/fileio.h"
#include "common/sha256.h"
#include "common/text.h"

namespace fs = std::filesystem;

// FIPS 180-4 / NIST example vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(ps::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ps::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ps::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(ps::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingEqualsOneShotAcrossBlockBoundaries) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += char('a' + i % 26);
  for (size_t chunk : {1u, 7u, 63u, 64u, 65u, 333u}) {
    ps::Sha256 h;
    for (size_t i = 0; i < data.size(); i += chunk) h.update(data.data() + i, std::min(chunk, data.size() - i));
    EXPECT_EQ(h.hex_digest(), ps::sha256_hex(data)) << "chunk " << chunk;
  }
}

TEST(FileIo, AtomicWriteCreatesFoldersAndReplacesContent) {
  fs::path dir = fs::temp_directory_path() / ("ps_fileio_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string f = (dir / "a" / "b" / "state.json").string();
  ps::write_file_atomic(f, "first");
  EXPECT_EQ(ps::read_file(f), "first");
  ps::write_file_atomic(f, "second");
  EXPECT_EQ(ps::read_file(f), "second");
  int64_t bytes = 0;
  EXPECT_EQ(ps::sha256_file(f, &bytes), ps::sha256_hex("second"));
  EXPECT_EQ(bytes, 6);
  // No temporary files are left behind.
  int n = 0;
  for (auto& e : fs::directory_iterator(dir / "a" / "b")) { (void)e; ++n; }
  EXPECT_EQ(n, 1);
  fs::remove_all(dir);
  EXPECT_THROW(ps::read_file(f), ps::Error);
  try {
    ps::sha256_file(f);
    FAIL();
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find(f), std::string::npos);
  }
}

// Issue 15: a device or FIFO named as an input file (/dev/zero read for 45 s into 17 GB; a FIFO
// blocked) is refused by name before it is opened, by every reader that takes a user's path.
TEST(FileIo, DevicesAndFifosAreNotInputFiles) {
  auto error_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const ps::Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of([] { ps::read_file("/dev/zero"); }).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of([] { ps::LineReader r("/dev/zero"); }).find("/dev/zero"), std::string::npos);
  const std::string fifo = (std::filesystem::temp_directory_path() / ("ps_fifo_" + std::to_string(::getpid()))).string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string e = error_of([&] { ps::read_file(fifo); });
  std::filesystem::remove(fifo);
  EXPECT_NE(e.find("not a regular file"), std::string::npos) << e;
  EXPECT_EQ(error_of([] { ps::check_input_file("/nonexistent/ps_file"); }), "") << "missing paths are the caller's to name";
}
