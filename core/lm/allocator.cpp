#include "lm/allocator.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ps::lm {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;  // x86-64 transparent huge page; also the smallest cached block

size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

// size bytes at a 2 MiB-aligned address, advised as huge pages; nullptr when out of memory.
void* map_block(size_t size) {
  // Map 2 MiB more than needed, keep the aligned middle, unmap the slack on either side.
  const size_t span = size + kHugePage;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(start, kHugePage);
  const size_t head = aligned - start, tail = span - head - size;
  if (head) ::munmap(raw, head);
  if (tail) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // advice: THP may be off
#endif
  return reinterpret_cast<void*>(aligned);
}

// libtorch's CPU allocator, replaced: large blocks from a cache of freed ones, the rest
// through c10's own aligned malloc. Created once and never destroyed, because tensors in
// static objects may be freed after every destructor of this file has run.
class BlockCache final : public c10::Allocator {
 public:
  explicit BlockCache(size_t limit) : limit_(limit) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kHugePage) {
      void* p = c10::alloc_cpu(n);
      return {p, p, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
    }
    void* p = const_cast<BlockCache*>(this)->take(n);
    return {p, p, &free_large, c10::Device(c10::DeviceType::CPU)};
  }
  // raw_allocate()/raw_deallocate() use one deleter for blocks of either kind.
  c10::DeleterFnPtr raw_deleter() const override { return &free_any; }

  // A block of at least n bytes: a cached one up to 25 % larger, else newly mapped.
  void* take(size_t n) {
    const size_t want = round_up(n, kHugePage);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.lower_bound(want);
      if (it != free_.end() && it->first <= want + want / 4) {
        void* p = it->second;
        const size_t size = it->first;
        free_.erase(it);
        cached_ -= size;
        note_live(p, size);
        ++reused_;
        return p;
      }
    }
    void* p = map_block(want);
    if (!p) {  // the cache may be what is in the way
      release_all();
      p = map_block(want);
    }
    TORCH_CHECK(p != nullptr, "out of memory: could not allocate ", want, " bytes for a CPU tensor");
    std::lock_guard<std::mutex> lock(mu_);
    note_live(p, want);
    ++mapped_;
    return p;
  }

  // Returns a block to the cache (or unmaps it); false when p is not one of ours.
  bool give_back(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end()) return false;
    const size_t size = it->second;
    live_.erase(it);
    live_bytes_ -= size;
    if (size > limit_) {
      ::munmap(p, size);
      return true;
    }
    while (cached_ + size > limit_) {  // make room: the largest cached blocks go first
      auto largest = std::prev(free_.end());
      ::munmap(largest->second, largest->first);
      cached_ -= largest->first;
      free_.erase(largest);
    }
    free_.emplace(size, p);
    cached_ += size;
    return true;
  }

  void release_all() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [size, p] : free_) ::munmap(p, size);
    free_.clear();
    cached_ = 0;
  }

  CpuBlockCacheStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    CpuBlockCacheStats s;
    s.installed = true;
    s.live_bytes = live_bytes_;
    s.cached_bytes = cached_;
    s.cache_limit_bytes = limit_;
    s.reused = reused_;
    s.mapped = mapped_;
    return s;
  }

  static void free_large(void* p);
  static void free_any(void* p);

 private:
  void note_live(void* p, size_t size) {
    live_.emplace(p, size);
    live_bytes_ += size;
  }

  const size_t limit_;
  std::mutex mu_;
  std::multimap<size_t, void*> free_;        // size -> block, cached for reuse
  std::unordered_map<void*, size_t> live_;   // block -> size, held by a tensor
  size_t cached_ = 0, live_bytes_ = 0;
  uint64_t reused_ = 0, mapped_ = 0;
};

BlockCache* g_cache = nullptr;  // set once by keep_freed_memory_for_reuse(), never freed

void BlockCache::free_large(void* p) {
  if (p) g_cache->give_back(p);
}

void BlockCache::free_any(void* p) {
  if (p && !g_cache->give_back(p)) c10::free_cpu(p);
}

size_t default_cache_limit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  const size_t ram = pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(8) << 30;
  return std::min(ram / 8, size_t(4) << 30);
}

}  // namespace

void keep_freed_memory_for_reuse(size_t cache_limit_bytes) {
  static std::once_flag once;
  std::call_once(once, [&] {
#if defined(__GLIBC__)
    // Setting any of these turns off glibc's dynamic mmap threshold, so all three are set.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // the largest value glibc accepts on 64-bit
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
    g_cache = new BlockCache(cache_limit_bytes ? cache_limit_bytes : default_cache_limit());
    c10::SetCPUAllocator(g_cache, /*priority=*/1);  // above c10's default (0)
  });
}

CpuBlockCacheStats cpu_block_cache_stats() { return g_cache ? g_cache->stats() : CpuBlockCacheStats{}; }

void release_cached_cpu_blocks() {
  if (g_cache) g_cache->release_all();
}

}  // namespace ps::lm
