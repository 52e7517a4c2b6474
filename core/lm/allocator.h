// Process-wide allocator settings for a process that runs models on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ps::lm {

// Freed tensor memory goes back to the OS by default, so the next tensor of the same size
// faults its pages in again, 4 KiB at a time. On a VM that costs ~12 µs a page: 190 ms for
// a 64 MiB block, as long as a 4096² float product itself takes, and ~45 ms of a ~47 ms
// batch-8 prefill of the tiny model. This call, once at start-up, keeps memory for reuse:
//  - blocks of 2 MiB and more come from a cache of freed blocks (best fit within 25 %);
//    new ones are 2 MiB-aligned transparent huge pages, one fault per 2 MiB;
//  - glibc malloc (everything smaller) grows its heap in 64 MiB steps and trims only
//    above 256 MiB instead of handing the top of the heap back after every free.
// The cache holds at most cache_limit_bytes (default: an eighth of RAM, at most 4 GiB);
// a freed block that does not fit is unmapped at once. Later calls change nothing.
// The CLI's generate, the benchmarks and the training jobs call it. No effect on memory
// that libtorch allocated before the call, or on GPU memory.
void keep_freed_memory_for_reuse(size_t cache_limit_bytes = 0);

// What the CPU block cache holds and did, for tests and diagnostics.
struct CpuBlockCacheStats {
  bool installed = false;     // keep_freed_memory_for_reuse() ran
  size_t live_bytes = 0;      // in large blocks held by tensors now
  size_t cached_bytes = 0;    // freed large blocks kept for reuse
  size_t cache_limit_bytes = 0;
  uint64_t reused = 0;        // large allocations served from the cache
  uint64_t mapped = 0;        // large allocations that mapped new memory
};
CpuBlockCacheStats cpu_block_cache_stats();

// Unmaps every cached block (e.g. after unloading a model in a long-lived process).
void release_cached_cpu_blocks();

}  // namespace ps::lm
