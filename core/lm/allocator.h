// Process-wide allocator settings for a process that runs models on the CPU.
#pragma once

namespace ps::lm {

// glibc malloc hands the top of its heap back to the OS as soon as more than a little is
// free, so every forward pass over a batch re-faults its activations (measured: a batch-8
// prefill of the tiny model spends ~45 ms of its ~47 ms in page faults on a VM). This keeps
// freed memory in the process: heap growth in 64 MB steps, trimming only above 256 MB,
// mmap only for blocks over 32 MB. Call it once at start-up (the CLI's generate and
// bench_generate do; the GUI and training processes should). No effect without glibc.
void keep_freed_memory_for_reuse();

}  // namespace ps::lm
