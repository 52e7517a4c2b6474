// The experiment store under the load a training run and the GUI put on it:
//   BM_log_metric        one metric per call, one transaction each (writes/s)
//   BM_log_metrics_step  8 metrics per training step in one transaction (metrics/s)
//   BM_query_series      one metric series (10^4 points) out of a store holding 10^6
//                        metric rows: 10 runs x 10 metrics x 10^4 steps (latency)
// The peer (bench/peers/store_sqlite.py) runs the same SQL from Python's sqlite3 on the
// files this program leaves in --dir.
//
//   bench_store --dir=DIR [Google Benchmark flags]
// bench-needs: core/store/store.cpp
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_options.h"
#include "store/store.h"

namespace {

std::string g_dir;
constexpr int kRuns = 10, kNames = 10, kSteps = 10000;  // 10^6 rows in all
const char* const kMetricNames[kNames] = {"loss", "reward", "kl", "lr", "grad_norm",
                                          "brier", "f1", "ece", "entropy", "tokens"};

std::string fresh_file(const std::string& name) {
  std::string path = g_dir + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

void BM_log_metric(benchmark::State& state) {
  ps::store::Store store(fresh_file("writes_one.sqlite"));
  const int64_t run = store.create_run("bench", "log_metric", "{}");
  int64_t step = 0;
  for (auto _ : state) store.log_metric(run, step++, "loss", 1.0 / (step + 1));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_log_metric)->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_log_metrics_step(benchmark::State& state) {
  ps::store::Store store(fresh_file("writes_step.sqlite"));
  const int64_t run = store.create_run("bench", "log_metrics", "{}");
  std::vector<ps::store::MetricPoint> points(8);
  int64_t step = 0;
  for (auto _ : state) {
    for (int k = 0; k < 8; ++k) points[k] = {step, kMetricNames[k], 0.5 + 1e-6 * step};
    store.log_metrics(run, points);
    ++step;
  }
  state.SetItemsProcessed(state.iterations() * 8);
}
BENCHMARK(BM_log_metrics_step)->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_query_series(benchmark::State& state) {
  const std::string path = fresh_file("million.sqlite");
  {
    ps::store::Store store(path);
    std::vector<ps::store::MetricPoint> batch;
    for (int r = 0; r < kRuns; ++r) {
      const int64_t run = store.create_run("bench", "run " + std::to_string(r), "{}");
      for (int n = 0; n < kNames; ++n) {
        batch.clear();
        for (int s = 0; s < kSteps; ++s) batch.push_back({s, kMetricNames[n], 1.0 / (s + 1)});
        store.log_metrics(run, batch);
      }
    }
  }
  ps::store::Store store(path);
  const int64_t run = store.list_runs().at(kRuns / 2).id;
  size_t points = 0;
  for (auto _ : state) {
    auto series = store.metrics(run, "reward");
    points = series.size();
    benchmark::DoNotOptimize(series.data());
  }
  if (points != static_cast<size_t>(kSteps)) state.SkipWithError("the series has the wrong length");
  state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_query_series)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  ps::bench::take_options(&argc, argv);  // --threads / --device: the store has no use for them
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--dir=", 6) == 0) g_dir = argv[i] + 6;
    else argv[out++] = argv[i];
  }
  argc = out;
  if (g_dir.empty()) {
    g_dir = (std::filesystem::temp_directory_path() / "perturbscope-bench-store").string();
  }
  std::filesystem::create_directories(g_dir);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
