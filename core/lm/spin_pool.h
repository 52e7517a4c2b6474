// Worker threads for PerturbScope's own decode kernels (skinny_matmul, decode_attention).
//
// Decoding one token runs ~230 short parallel sections (one per weight matrix and one per
// attention layer, 20-500 µs each) with a little serial work between them. libgomp under
// OMP_WAIT_POLICY=passive (cpu_threads.h sets it, so that OpenBLAS keeps its cores during
// prefill) puts its workers to sleep after every section, and waking them again cost ~17 %
// of the decode bandwidth on 2 cores. These workers spin for a short while after a section
// and only then sleep: all through a decode they stay awake; during prefill, which runs no
// section of ours, they sleep and leave the cores to OpenBLAS.
#pragma once
#include <cstdint>
#include <functional>

namespace ps::lm {

// Calls fn(begin, end) on contiguous parts of [0, n), on up to at::get_num_threads()
// threads (the calling thread takes the first part), each part at least `grain` long;
// returns when every part is done. The split is at::parallel_for's, so results that
// depend on it do not change when a kernel moves between the two. fn must not throw.
// A call from inside fn, or while another thread's call is running, runs serially.
void spin_parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// How long a worker spins for the next section before it sleeps.
constexpr int64_t kSpinPoolSpinMicros = 200;

}  // namespace ps::lm
