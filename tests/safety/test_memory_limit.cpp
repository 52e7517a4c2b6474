// Issue 15: perturbscope-cli under an address-space limit (`ulimit -v`, RLIMIT_AS on the child).
// Whatever the limit, the CLI answers or fails with one clear line and exit 1, promptly: never an
// abort (std::bad_alloc in libtorch's load-time operator registration used to end in
// std::terminate, exit 134), never a hang (OpenBLAS's finaliser joined a worker thread that
// retried its 128 MiB buffer forever, after the CLI had printed "out of memory"). The timeout of
// each child turns a hang into a failure. `--version` and `--help` are answered before any
// library is initialised, so they work under limits that libtorch cannot load in.
#include <gtest/gtest.h>

#include <string>

#include "common/paths.h"
#include "safety/child.h"
#include "scratch.h"

namespace {

// Limits in KiB, as `ulimit -v` takes them: below what libtorch's initialisers need (about
// 700 MB on Debian 12), at the edge, and enough to load but not to work.
const long kLimitsKiB[] = {600000, 650000, 700000, 800000};

// AddressSanitizer reserves terabytes of address space for its shadow memory at start: a child
// built with it cannot start under any of these limits (the sanitizer build runs these tests
// skipped, with this reason).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#define SKIP_UNDER_ASAN() \
  if (kAddressSanitizer) GTEST_SKIP() << "ASan's shadow memory does not fit under an address-space limit"

ps::test::ChildResult run_limited(const std::vector<std::string>& args, long kib) {
  ps::test::ChildOptions opt;
  opt.address_space_limit = kib * 1024;
  opt.timeout_s = 60;  // a run of these takes seconds; a hang is killed and reported
  return ps::test::run_cli_child(args, opt);
}

bool ended_clearly(const ps::test::ChildResult& r) {
  return r.signal == 0 && r.err.find("terminate called") == std::string::npos &&
         r.err.find("Aborted") == std::string::npos && r.err.find("c10::") == std::string::npos;
}

TEST(MemoryLimit, VersionAndHelpWorkUnderAnyLimitTheLoaderAccepts) {
  SKIP_UNDER_ASAN();
  for (long kib : kLimitsKiB) {
    SCOPED_TRACE("ulimit -v " + std::to_string(kib));
    auto v = run_limited({"--version"}, kib);
    // Below about 550 MB the dynamic loader itself cannot map the libraries (exit 127, its own
    // message): nothing of ours has run yet. The limits above are past that.
    ASSERT_TRUE(v.exited(0)) << v.describe();
    EXPECT_EQ(v.out.rfind("perturbscope-cli " + ps::version(), 0), 0u) << v.describe();
    EXPECT_LT(v.seconds, 30) << v.describe();
    auto h = run_limited({"--help"}, kib);
    ASSERT_TRUE(h.exited(0)) << h.describe();
    EXPECT_NE(h.out.find("commands:"), std::string::npos) << h.describe();
  }
}

// A command that loads libtorch (here on a store that does not exist: exit 1 naming it when there
// is memory enough): exit 1 with one clear error line, "out of memory" under the tight limits;
// never a signal or a hang.
TEST(MemoryLimit, CommandsFailWithOneClearLineAndExit1) {
  SKIP_UNDER_ASAN();
  const std::string store = (ps::test::scratch_dir("memory_limit") / "no-store-here.sqlite").string();
  bool saw_out_of_memory = false;
  for (long kib : kLimitsKiB) {
    SCOPED_TRACE("ulimit -v " + std::to_string(kib));
    auto r = run_limited({"runs", "list", "--store", store}, kib);
    EXPECT_TRUE(ended_clearly(r)) << r.describe();
    EXPECT_FALSE(r.killed_by_us || r.seconds >= 60) << "hung:\n" << r.describe();
    EXPECT_TRUE(r.exited(1)) << r.describe();
    const bool oom = r.err.find("out of memory") != std::string::npos;
    EXPECT_TRUE(oom || r.err.find(store) != std::string::npos) << r.describe();
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
    saw_out_of_memory = saw_out_of_memory || oom;
  }
  EXPECT_TRUE(saw_out_of_memory) << "no limit made the CLI run out of memory: the test proved nothing";
}

// The reported case: knn prints "out of memory", then used to hang at exit (OpenBLAS's join).
TEST(MemoryLimit, KnnOutOfMemoryExitsPromptly) {
  SKIP_UNDER_ASAN();
  if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
  const std::string store = (ps::test::scratch_dir("memory_limit_knn") / "store.sqlite").string();
  bool saw_out_of_memory = false;
  for (long kib : {600000L, 700000L, 900000L}) {
    SCOPED_TRACE("ulimit -v " + std::to_string(kib));
    auto r = run_limited({"knn", "--cell-line", "k562", "--json", "--store", store}, kib);
    EXPECT_TRUE(ended_clearly(r)) << r.describe();
    EXPECT_LT(r.seconds, 55) << "hung:\n" << r.describe();
    EXPECT_TRUE(r.exited(0) || r.exited(1)) << r.describe();
    if (r.exited(1)) {
      EXPECT_NE(r.err.find("out of memory"), std::string::npos) << r.describe();
      EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
      saw_out_of_memory = true;
    }
  }
  EXPECT_TRUE(saw_out_of_memory) << "knn never ran out of memory: the test proved nothing";
}

}  // namespace
