// Small file helpers shared by the store, the jobs' checkpoints and the CLI.
#pragma once
#include <string>

namespace ps {

// For every reader of a file a user names: ps::Error naming the path when it is a folder ("is a
// folder, not a file") or exists but is not a regular file (a device such as /dev/zero, a FIFO, a
// socket: endless or blocking reads). A missing path passes (the caller's open names it).
void check_input_file(const std::string& path);

// The whole file (check_input_file first); throws ps::Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

// Writes via a temporary file in the same folder, fsync, then rename(2), so a
// reader (or a crash) sees either the old content or the new one, never a mix.
// Creates missing parent folders. Throws ps::Error naming the path.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace ps
