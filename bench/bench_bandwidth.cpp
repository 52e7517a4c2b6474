// Main-memory bandwidth, STREAM-style (McCalpin's copy and triad, plus a pure read), on
// the same number of threads as the other workloads. It is the physical limit that
// decode is compared with: a decode step must read every weight and the KV cache once.
//
//   bench_bandwidth [--threads=N] [--mib=M] [--device=cpu|cuda]   (M MiB per array, default 256)
// --device=cuda measures the GPU's memory instead (a device-to-device tensor copy).
// Prints one JSON object; GB/s = 1e9 bytes per second, counting the bytes the kernel
// must move (copy 16, triad 24, read 8 per element), best of 10 repetitions as STREAM does.
// "read_streams": the same read, four far-apart streams per thread (see sum_streams).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <ATen/ATen.h>

#include "bench_options.h"

#include <sys/mman.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

// Runs body(begin, end) on `threads` threads over [0, n) in contiguous chunks and
// returns the wall time in seconds.
double parallel_for(int threads, size_t n, const std::function<void(size_t, size_t)>& body) {
  std::vector<std::thread> pool;
  const size_t chunk = (n + threads - 1) / threads;
  auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    size_t b = std::min(n, t * chunk), e = std::min(n, b + chunk);
    pool.emplace_back(body, b, e);
  }
  for (auto& th : pool) th.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// GPU memory bandwidth: copy one bfloat16 tensor into another (reads + writes).
int cuda_bandwidth(size_t mib) {
  const int64_t n = static_cast<int64_t>(mib) * 4 * 1024 * 1024 / 2;  // 4x the CPU size: GPUs have large caches
  auto opts = at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);
  at::Tensor src = at::ones({n}, opts), dst = at::empty({n}, opts);
  double best = 1e30;
  for (int r = 0; r < 20; ++r) {
    dst.sum().item<float>();  // synchronise before starting the clock
    auto t0 = Clock::now();
    dst.copy_(src);
    dst[0].item<float>();     // waits for the copy
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const double gb_s = 2.0 * n * 2 / best / 1e9;
  std::printf("{\"device\": \"cuda\", \"mib_per_array\": %zu, \"copy_gb_per_s\": %.3f, \"triad_gb_per_s\": 0, "
              "\"read_gb_per_s\": 0}\n", mib * 4, gb_s);
  return 0;
}

// n doubles on 2 MiB-aligned memory advised for transparent huge pages, as our model
// processes hold their weights (lm/allocator.cpp). With 4 KiB pages the hardware
// prefetchers stop at every page boundary and the streamed read below lost ~30 %.
struct HugeArray {
  double* p = nullptr;
  size_t bytes = 0, span = 0;
  void* raw = MAP_FAILED;
  explicit HugeArray(size_t n) : bytes(n * sizeof(double)) {
    const size_t huge = size_t(2) << 20;
    span = bytes + huge;
    raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
      std::perror("bench_bandwidth: mmap");
      std::exit(1);
    }
    const uintptr_t aligned = (reinterpret_cast<uintptr_t>(raw) + huge - 1) & ~(huge - 1);
#ifdef MADV_HUGEPAGE
    ::madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // advice: THP may be off
#endif
    p = reinterpret_cast<double*>(aligned);
  }
  ~HugeArray() { ::munmap(raw, span); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  double& operator[](size_t i) { return p[i]; }
  double* get() { return p; }
};

// Σ of [p, p + n) read as `streams` far-apart parts at once (one vector from each per
// step). More concurrent sequential streams per core keep more cache-line fetches in
// flight: on the 2-core EPYC VM one stream per thread read ~55 GB/s, four ~65-75. The
// one-row decode kernel (core/lm/skinny_matmul.cpp) reads this way, so the limit it is
// held to must be measured this way too. 512-bit loads where the CPU has them (256-bit
// streams did not reach the same rate there).
constexpr int kStreams = 4;
#if defined(__x86_64__)
__attribute__((target("avx512f"))) double sum_streams_avx512(const double* p, size_t n) {
  const size_t part = (n / kStreams) & ~size_t(15);
  __m512d acc[kStreams][2];
  for (int s = 0; s < kStreams; ++s) acc[s][0] = acc[s][1] = _mm512_setzero_pd();
  for (size_t i = 0; i < part; i += 16)
    for (int s = 0; s < kStreams; ++s) {
      acc[s][0] = _mm512_add_pd(acc[s][0], _mm512_loadu_pd(p + s * part + i));
      acc[s][1] = _mm512_add_pd(acc[s][1], _mm512_loadu_pd(p + s * part + i + 8));
    }
  double total = 0;
  for (int s = 0; s < kStreams; ++s) total += _mm512_reduce_add_pd(_mm512_add_pd(acc[s][0], acc[s][1]));
  for (size_t i = kStreams * part; i < n; ++i) total += p[i];
  return total;
}
#endif
double sum_streams(const double* p, size_t n) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return sum_streams_avx512(p, n);
#endif
  const size_t part = n / kStreams;
  double acc[kStreams] = {};
  for (size_t i = 0; i < part; ++i)
    for (int s = 0; s < kStreams; ++s) acc[s] += p[s * part + i];
  double total = 0;
  for (int s = 0; s < kStreams; ++s) total += acc[s];
  for (size_t i = kStreams * part; i < n; ++i) total += p[i];
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  ps::bench::Options opt = ps::bench::take_options(&argc, argv);
  size_t mib = 256;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--mib=", 6) == 0) {
      mib = std::strtoull(argv[i] + 6, nullptr, 10);
    } else {
      std::fprintf(stderr, "bench_bandwidth: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (opt.device == "cuda") return cuda_bandwidth(mib);
  const size_t n = mib * 1024 * 1024 / sizeof(double);
  // Arrays far larger than any cache; first touched by the thread that uses them.
  HugeArray a(n), b(n), c(n);
  parallel_for(opt.threads, n, [&](size_t s, size_t e) {
    for (size_t i = s; i < e; ++i) { a[i] = 1.0; b[i] = 2.0; c[i] = 0.5; }
  });

  const int reps = 10;
  double best_copy = 1e30, best_triad = 1e30, best_read = 1e30, best_read_streams = 1e30;
  std::vector<double> partial(opt.threads * 8);
  volatile double sink = 0;
  for (int r = 0; r < reps; ++r) {
    // copy: c = a
    best_copy = std::min(best_copy, parallel_for(opt.threads, n, [&](size_t s, size_t e) {
      std::memcpy(&c[s], &a[s], (e - s) * sizeof(double));
    }));
    // triad: a = b + q * c
    const double q = 3.0;
    best_triad = std::min(best_triad, parallel_for(opt.threads, n, [&](size_t s, size_t e) {
      double* __restrict pa = a.get();
      const double* __restrict pb = b.get();
      const double* __restrict pc = c.get();
      for (size_t i = s; i < e; ++i) pa[i] = pb[i] + q * pc[i];
    }));
    // read: sum of b, with 8 independent accumulators so the adds are not the bottleneck
    const size_t chunk = (n + opt.threads - 1) / opt.threads;
    best_read = std::min(best_read, parallel_for(opt.threads, n, [&](size_t s, size_t e) {
      double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      size_t i = s;
      for (; i + 8 <= e; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += b[i + k];
      for (; i < e; ++i) acc[0] += b[i];
      double* out = &partial[(s / std::max<size_t>(chunk, 1)) * 8];
      for (int k = 0; k < 8; ++k) out[k] = acc[k];
    }));
    // read, kStreams far-apart streams per thread
    best_read_streams = std::min(best_read_streams, parallel_for(opt.threads, n, [&](size_t s, size_t e) {
      partial[(s / std::max<size_t>(chunk, 1)) * 8] = sum_streams(&b[s], e - s);
    }));
    for (double p : partial) sink = sink + p;
  }
  const double bytes = static_cast<double>(n) * sizeof(double);
  std::printf(
      "{\"threads\": %d, \"mib_per_array\": %zu, \"copy_gb_per_s\": %.3f, \"triad_gb_per_s\": %.3f, "
      "\"read_gb_per_s\": %.3f, \"read_streams_gb_per_s\": %.3f}\n",
      opt.threads, mib, 2 * bytes / best_copy / 1e9, 3 * bytes / best_triad / 1e9, bytes / best_read / 1e9,
      bytes / best_read_streams / 1e9);
  return 0;
}
