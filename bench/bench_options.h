// Options shared by our bench executables, taken out of argv before Google Benchmark
// sees it:  --threads=N (default: all cores)  --device=cpu|cuda (cuda: bfloat16).
#pragma once
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace ps::bench {

struct Options {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  std::string device = "cpu";
};

// Removes the options it knows from argv (so benchmark::Initialize does not reject them).
inline Options take_options(int* argc, char** argv) {
  Options o;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      o.threads = std::atoi(argv[i] + 10);
    } else if (std::strncmp(argv[i], "--device=", 9) == 0) {
      o.device = argv[i] + 9;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  if (o.threads < 1) o.threads = 1;
  return o;
}

}  // namespace ps::bench
