// How a process that runs models on the CPU shares its cores between thread pools.
#pragma once

namespace ps::lm {

// ATen's kernels and ours (at::parallel_for) run on libgomp's threads; matrix products run
// on OpenBLAS's own pthreads. After each parallel region libgomp's workers spin for a while
// before they sleep, and on a machine with few cores they take those cores from the OpenBLAS
// threads that run next. Qwen3-0.6B on 2 cores, measured: decode at batch 1 5 -> 20 tokens/s,
// prefill 42 -> 148 tokens/s with OMP_WAIT_POLICY=passive. libgomp reads that variable once,
// when it is loaded, before main() runs; so this sets it and executes the program again
// (same arguments). Call it first thing in main() of a process that runs models. Does
// nothing when OMP_WAIT_POLICY is already set (the user's choice wins); if exec fails the
// program goes on as it is.
void restart_with_passive_openmp_waits(char** argv);

}  // namespace ps::lm
