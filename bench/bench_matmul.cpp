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

}  // namespace

int main(int argc, char** argv) {
  g_opt = ps::bench::take_options(&argc, argv);
  at::set_num_threads(g_opt.threads);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
