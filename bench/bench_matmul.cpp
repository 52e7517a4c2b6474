// Matrix-product throughput through our build (at::matmul, float32 on CPU, bfloat16 on
// CUDA), to catch a libtorch that fell back to the reference BLAS. The peer is numpy
// (bench/peers/matmul.py) on the same sizes and thread count.
//
//   bench_matmul [--threads=N] [--device=cpu|cuda] [Google Benchmark flags]
// Counter "flops": 2 n^3 per product, per second of wall time.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "bench_options.h"
#include "lm/allocator.h"
#include "lm/cpu_threads.h"
#include "lm/linear.h"
#include "lm/skinny_matmul.h"

namespace {

ps::bench::Options g_opt;

at::TensorOptions tensor_options() {
  if (g_opt.device == "cuda") return at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);
  return at::TensorOptions().dtype(at::kFloat);
}

void sync() {
  // at::matmul on CUDA is asynchronous: reading one element waits for the product.
  if (g_opt.device == "cuda") at::zeros({1}, tensor_options()).cpu();
}

void BM_matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  at::manual_seed(0);
  at::Tensor a = at::randn({n, n}, tensor_options());
  at::Tensor b = at::randn({n, n}, tensor_options());
  at::Tensor c = at::matmul(a, b);  // warm-up: thread pool, BLAS buffers
  sync();
  for (auto _ : state) {
    c = at::matmul(a, b);
    sync();
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.counters["flops"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = g_opt.threads;
}
BENCHMARK(BM_matmul)->Arg(1024)->Arg(4096)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same product into a preallocated result: what the BLAS itself delivers, without
// the allocation (and first touch) of a fresh output that at::matmul pays on every call.
void BM_mm_out(benchmark::State& state) {
  const int64_t n = state.range(0);
  at::manual_seed(0);
  at::Tensor a = at::randn({n, n}, tensor_options());
  at::Tensor b = at::randn({n, n}, tensor_options());
  at::Tensor c = at::empty({n, n}, tensor_options());
  at::mm_out(c, a, b);
  sync();
  for (auto _ : state) {
    at::mm_out(c, a, b);
    sync();
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.counters["flops"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = g_opt.threads;
}
BENCHMARK(BM_mm_out)->Arg(1024)->Arg(4096)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The products of decoding: x [M, in] · Wᵀ with W [out, in] for M = 1 (batch 1) and 8,
// on the weight shapes of Qwen3-0.6B (qkv fused, gate/up fused, down, lm_head). Ours is
// lm::matmul_wt (the skinny kernel; at M = 1 on a CPU without AVX-512, sgemv); the peer is
// the plain BLAS call the kernel replaced (sgemv at M = 1, sgemm above). Counter "bytes":
// the weight read once per product, per second, to compare with the machine's memory
// bandwidth (lm_head's 622 MB do not fit in any cache; the others partly do).
void decode_product(benchmark::State& state, bool ours) {
  const int64_t M = state.range(0), out = state.range(1), in = state.range(2);
  at::manual_seed(0);
  at::Tensor w = at::randn({out, in});
  at::Tensor x = at::randn({M, in});
  c10::InferenceMode guard;
  auto run = [&] {
    if (ours) return ps::lm::matmul_wt(x, w);
    return M == 1 ? at::mv(w, x.view({in})) : at::matmul(x, w.t());
  };
  at::Tensor y = run();
  if (ours && M > 1 && !ps::lm::skinny_matmul_applies(x, w)) state.SkipWithError("skinny kernel not available on this CPU");
  for (auto _ : state) {
    y = run();
    benchmark::DoNotOptimize(y.data_ptr());
  }
  state.counters["bytes"] = benchmark::Counter(4.0 * out * in, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = g_opt.threads;
}
void BM_decode_product_ours(benchmark::State& state) { decode_product(state, true); }
void BM_decode_product_blas(benchmark::State& state) { decode_product(state, false); }
// {M, out, in}: qkv (2048+2·512... = 4096 x 1024), gate_up 6144 x 1024, down 1024 x 3072, lm_head 151936 x 1024
#define PS_DECODE_SHAPES(b)                                                                            \
  b->Args({1, 4096, 1024})->Args({1, 6144, 1024})->Args({1, 1024, 3072})->Args({1, 151936, 1024})    \
      ->Args({8, 4096, 1024})->Args({8, 6144, 1024})->Args({8, 1024, 3072})->Args({8, 151936, 1024}) \
      ->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(0.5)
PS_DECODE_SHAPES(BENCHMARK(BM_decode_product_ours));
PS_DECODE_SHAPES(BENCHMARK(BM_decode_product_blas));

}  // namespace

int main(int argc, char** argv) {
  ps::lm::restart_with_passive_openmp_waits(argv);  // see lm/cpu_threads.h
  g_opt = ps::bench::take_options(&argc, argv);
  at::set_num_threads(g_opt.threads);
  ps::lm::keep_freed_memory_for_reuse();  // as our model processes do; see lm/allocator.h
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
