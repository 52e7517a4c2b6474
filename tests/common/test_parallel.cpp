// ps::parallel_for: every index once, bounded threads, exceptions after joining, and no abort
// when threads cannot be started (issue 15, fault 2: a failed thread start used to unwind past
// unjoined std::threads and abort).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/parallel.h"

TEST(ParallelFor, RunsEveryIndexOnceWithBoundedWorkers) {
  for (int threads : {-5, 0, 1, 2, 7, 1000, 1 << 30}) {
    std::vector<std::atomic<int>> hits(1000);
    std::mutex m;
    std::set<int> workers;
    ps::parallel_for(hits.size(), threads, [&](size_t i, int w) {
      hits[i]++;
      std::lock_guard<std::mutex> lock(m);
      workers.insert(w);
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1) << threads;
    EXPECT_GE(*workers.begin(), 0);
    EXPECT_LT(*workers.rbegin(), ps::clamp_threads(threads));
  }
  EXPECT_EQ(ps::clamp_threads(0), 1);
  EXPECT_EQ(ps::clamp_threads(1L << 40), ps::max_threads());
  EXPECT_LE(ps::max_threads(), ps::kMaxThreadsCeiling);
  EXPECT_GE(ps::max_threads(), 4);
  ps::parallel_for(0, 4, [](size_t, int) { FAIL(); });
}

TEST(ParallelFor, TheFirstExceptionIsRethrownAfterAllThreadsJoined) {
  std::atomic<int> done{0};
  EXPECT_THROW(ps::parallel_for(10000, 4,
                                [&](size_t i, int) {
                                  if (i == 17) throw std::runtime_error("boom");
                                  done++;
                                }),
               std::runtime_error);
  EXPECT_LT(done.load(), 10000);
}

// Under an address-space limit no thread stack fits: the work still completes on the caller's
// thread (a forked child, so the limit does not touch the test process).
TEST(ParallelFor, ThreadsThatCannotStartAreNotFatal) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    long pages = 0, rss = 0;
    std::ifstream("/proc/self/statm") >> pages >> rss;
    const rlim_t now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
    struct rlimit lim {now + (4u << 20), now + (4u << 20)};  // 4 MiB more than now: no 8 MiB thread stack fits
    if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(3);
    // glibc reuses a few cached stacks of earlier threads: probe with many threads alive at once.
    std::atomic<bool> release{false};
    std::vector<std::thread> probe;
    bool refused = false;
    for (int t = 0; t < 64 && !refused; ++t) {
      try {
        probe.emplace_back([&] {
          while (!release) std::this_thread::yield();
        });
      } catch (const std::system_error&) {
        refused = true;
      }
    }
    release = true;
    for (auto& t : probe) t.join();
    if (!refused) ::_exit(4);  // the limit did not bite: nothing to test here
    std::vector<int> hits(5000, 0);
    ps::parallel_for(hits.size(), 200, [&](size_t i, int) { hits[i]++; });
    for (int h : hits)
      if (h != 1) ::_exit(2);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (WEXITSTATUS(status) == 4) GTEST_SKIP() << "RLIMIT_AS did not prevent thread creation here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}
