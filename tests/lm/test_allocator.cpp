// The CPU block cache behind keep_freed_memory_for_reuse(): a freed large tensor's memory
// serves the next tensor of that size, the cache stays under its limit, and small tensors
// keep libtorch's own allocator.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <c10/core/CPUAllocator.h>

#include "lm/allocator.h"

using namespace ps::lm;

namespace {
constexpr size_t MiB = size_t(1) << 20;
}

TEST(CpuBlockCache, ReusesFreedLargeBlocksWithinItsLimit) {
  keep_freed_memory_for_reuse(/*cache_limit_bytes=*/64 * MiB);
  const CpuBlockCacheStats start = cpu_block_cache_stats();
  ASSERT_TRUE(start.installed);
  EXPECT_EQ(start.cache_limit_bytes, 64 * MiB);

  void* first = nullptr;
  {
    at::Tensor t = at::empty({3 * 1024 * 1024 / 4}, at::kFloat);  // 3 MiB -> one 4 MiB block
    first = t.data_ptr();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % (2 * MiB), 0u) << "large blocks are huge-page aligned";
    t.fill_(1.5f);  // the memory is really there
    EXPECT_EQ(t.sum().item<float>(), 1.5f * t.numel());
    EXPECT_GE(cpu_block_cache_stats().live_bytes, start.live_bytes + 4 * MiB);
  }
  const CpuBlockCacheStats freed = cpu_block_cache_stats();
  EXPECT_EQ(freed.cached_bytes, start.cached_bytes + 4 * MiB);
  {
    at::Tensor again = at::empty({3 * 1024 * 1024 / 4 + 10}, at::kFloat);  // same 4 MiB class
    EXPECT_EQ(again.data_ptr(), first);
    EXPECT_EQ(cpu_block_cache_stats().reused, freed.reused + 1);
  }
  {
    // Larger than the whole cache: unmapped when freed, never cached.
    at::Tensor huge = at::empty({int64_t(80 * MiB / 4)}, at::kFloat);
    huge.zero_();
  }
  EXPECT_LE(cpu_block_cache_stats().cached_bytes, 64 * MiB);
  {
    // Blocks that together exceed the limit: the cache evicts to stay under it.
    std::vector<at::Tensor> many;
    for (int i = 0; i < 5; ++i) many.push_back(at::empty({int64_t(20 * MiB / 4)}, at::kFloat));
  }
  EXPECT_LE(cpu_block_cache_stats().cached_bytes, 64 * MiB);
  EXPECT_GT(cpu_block_cache_stats().cached_bytes, 0u);

  // Small tensors: libtorch's allocator, nothing counted here.
  const size_t live = cpu_block_cache_stats().live_bytes;
  at::Tensor small = at::ones({1000});
  EXPECT_EQ(cpu_block_cache_stats().live_bytes, live);
  EXPECT_EQ(small.sum().item<float>(), 1000.0f);

  release_cached_cpu_blocks();
  EXPECT_EQ(cpu_block_cache_stats().cached_bytes, 0u);
}

TEST(CpuBlockCache, TensorsOutliveNothingTheyNeed) {
  keep_freed_memory_for_reuse();
  // Views and storage shared between tensors free the block once, when the last one goes.
  at::Tensor a = at::arange(int64_t(1) << 20, at::kFloat);  // 4 MiB
  at::Tensor view = a.slice(0, 10, 20);
  a.reset();
  EXPECT_EQ(view[0].item<float>(), 10.0f);
  // raw_allocate / raw_deallocate go through the same cache.
  c10::Allocator* alloc = c10::GetCPUAllocator();
  void* p = alloc->raw_allocate(5 * MiB);
  ASSERT_NE(p, nullptr);
  static_cast<char*>(p)[5 * MiB - 1] = 7;
  alloc->raw_deallocate(p);
  void* q = alloc->raw_allocate(100);
  alloc->raw_deallocate(q);
}
