// The decode kernels' thread pool: every index of [0, n) is visited exactly once, parts
// follow at::parallel_for's split (the kernels' results depend on it), and calls from
// inside a part or from two threads at once still finish with the right answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <ATen/Parallel.h>

#include "lm/spin_pool.h"

using namespace ps::lm;

namespace {

using Part = std::pair<int64_t, int64_t>;

// Restores the libtorch thread count a test changed.
struct ThreadCount {
  int before = at::get_num_threads();
  explicit ThreadCount(int n) { at::set_num_threads(n); }
  ~ThreadCount() { at::set_num_threads(before); }
};

std::vector<std::pair<int64_t, int64_t>> parts_of(int64_t n, int64_t grain) {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> parts;
  spin_parallel_for(n, grain, [&](int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lk(mu);
    parts.emplace_back(b, e);
  });
  std::sort(parts.begin(), parts.end());
  return parts;
}

}  // namespace

TEST(SpinPool, VisitsEveryIndexOnceInContiguousParts) {
  for (int threads : {1, 2, 3}) {
    ThreadCount tc(threads);
    for (int64_t n : {1, 2, 5, 64, 1000, 4099})
      for (int64_t grain : {1, 3, 100, 5000}) {
        std::vector<std::atomic<int>> hits(n);
        spin_parallel_for(n, grain, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " grain=" << grain << " i=" << i;

        const auto parts = parts_of(n, grain);
        ASSERT_FALSE(parts.empty());
        EXPECT_LE(static_cast<int>(parts.size()), threads);
        EXPECT_EQ(parts.front().first, 0);
        EXPECT_EQ(parts.back().second, n);
        for (size_t p = 0; p + 1 < parts.size(); ++p) {
          EXPECT_EQ(parts[p].second, parts[p + 1].first) << "parts are contiguous";
          EXPECT_EQ(parts[p].second - parts[p].first, parts[0].second) << "equal parts, only the last may be short";
        }
      }
  }
}

TEST(SpinPool, SplitsLikeAtParallelFor) {
  ThreadCount tc(2);
  for (int64_t n : {1, 7, 150, 4099})
    for (int64_t grain : {1, 100, 1000}) {
      std::mutex mu;
      std::vector<Part> theirs;
      at::parallel_for(0, n, grain, [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lk(mu);
        theirs.emplace_back(b, e);
      });
      std::sort(theirs.begin(), theirs.end());
      EXPECT_EQ(parts_of(n, grain), theirs) << "n=" << n << " grain=" << grain;
    }
  // For the record, what that split is: 4099 rows on 2 threads, halves rounded up.
  EXPECT_EQ(parts_of(4099, 1), (std::vector<Part>{{0, 2050}, {2050, 4099}}));
}

TEST(SpinPool, NestedAndConcurrentCallsFinishCorrectly) {
  ThreadCount tc(2);
  // A call from inside a part runs serially on that thread.
  std::atomic<int64_t> total{0};
  spin_parallel_for(8, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      spin_parallel_for(100, 1, [&](int64_t ib, int64_t ie) { total.fetch_add(ie - ib); });
  });
  EXPECT_EQ(total.load(), 800);

  // Two threads calling at once: one gets the pool, the other runs serially; both finish.
  std::atomic<int64_t> sums[2] = {{0}, {0}};
  auto caller = [&](int who) {
    for (int round = 0; round < 200; ++round)
      spin_parallel_for(1000, 10, [&](int64_t b, int64_t e) {
        int64_t s = 0;
        for (int64_t i = b; i < e; ++i) s += i;
        sums[who].fetch_add(s);
      });
  };
  std::thread a(caller, 0), b(caller, 1);
  a.join();
  b.join();
  EXPECT_EQ(sums[0].load(), 200 * (999 * 1000 / 2));
  EXPECT_EQ(sums[1].load(), 200 * (999 * 1000 / 2));
}

TEST(SpinPool, ThreadCountChangesBetweenSections) {
  // A worker without a part in one section (2 workers exist, 2 threads used) may wake when
  // the next section is already out: it must take part in that one once, never twice.
  const int before = at::get_num_threads();
  for (int round = 0; round < 300; ++round) {
    at::set_num_threads(round % 2 ? 2 : 3);
    std::vector<std::atomic<int>> hits(64);
    spin_parallel_for(64, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
    });
    for (int i = 0; i < 64; ++i) ASSERT_EQ(hits[i].load(), 1) << "round " << round << " index " << i;
  }
  at::set_num_threads(before);
}
