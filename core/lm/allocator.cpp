#include "lm/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ps::lm {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Setting any of these turns off glibc's dynamic mmap threshold, so all three are set.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // the largest value glibc accepts on 64-bit
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

}  // namespace ps::lm
