// DDSketch costs on the ingest hot path: ns per Add for lognormal latencies against the floor
// of touching the value at all (sum += x) and against an exact-log (std::log) mapping; ns per
// Quantile against exact quantiles by std::nth_element on a copy; bytes per sketch.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "stats/dd_sketch.h"

namespace inferscope {
namespace {

// Latencies in ms: median ~150 ms, long right tail (p99 ~ 3 s).
const std::vector<double>& Latencies() {
  static const std::vector<double> values = [] {
    std::mt19937_64 gen(42);
    std::lognormal_distribution<double> dist(std::log(150.0), 1.3);
    std::vector<double> v(1 << 16);
    for (double& x : v) x = dist(gen);
    return v;
  }();
  return values;
}

void BM_AddFloor_Sum(benchmark::State& state) {
  const auto& values = Latencies();
  double sum = 0;
  for (auto _ : state) {
    for (double x : values) {
      sum += x;
      benchmark::DoNotOptimize(sum);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_AddFloor_Sum);

// A minimal exact-log sketch (index = ceil(ln x / ln gamma) into a pre-sized dense array), to
// show what the interpolated mapping saves over calling std::log.
void BM_AddBaseline_StdLogDenseArray(benchmark::State& state) {
  const auto& values = Latencies();
  const double gamma = 1.005 / 0.995;
  const double inv_log_gamma = 1 / std::log(gamma);
  std::vector<uint32_t> bins(8192);
  const int offset = 4096;
  for (auto _ : state) {
    for (double x : values) {
      const int i = static_cast<int>(std::ceil(std::log(x) * inv_log_gamma)) + offset;
      ++bins[static_cast<size_t>(std::clamp(i, 0, 8191))];
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_AddBaseline_StdLogDenseArray);

void BM_DDSketchAdd(benchmark::State& state) {
  const auto& values = Latencies();
  DDSketch sketch;
  for (auto _ : state) {
    for (double x : values) sketch.Add(x);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
  state.counters["sketch_bytes"] = static_cast<double>(sketch.MemoryBytes());
}
BENCHMARK(BM_DDSketchAdd);

// Three sketches per record, as the ingest path does (e.g. latency, TTFT, tokens/s).
void BM_DDSketchAdd_ThreeSketchesPerRecord(benchmark::State& state) {
  const auto& values = Latencies();
  DDSketch a, b, c;
  for (auto _ : state) {
    for (double x : values) {
      a.Add(x);
      b.Add(x * 0.1);
      c.Add(1000 / x);
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_DDSketchAdd_ThreeSketchesPerRecord);

void BM_DDSketchQuantile(benchmark::State& state) {
  const auto& values = Latencies();
  DDSketch sketch;
  const auto n = static_cast<size_t>(state.range(0));
  for (size_t i = 0; i < n; ++i) sketch.Add(values[i % values.size()] * (1 + i * 1e-9));
  for (auto _ : state) benchmark::DoNotOptimize(sketch.Quantile(0.99));
  state.counters["sketch_bytes"] = static_cast<double>(sketch.MemoryBytes());
}
BENCHMARK(BM_DDSketchQuantile)->Arg(300)->Arg(1 << 16)->Arg(1 << 20);

void BM_QuantileBaseline_NthElementOnCopy(benchmark::State& state) {
  const auto& src = Latencies();
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = src[i % src.size()] * (1 + i * 1e-9);
  std::vector<double> scratch(n);
  for (auto _ : state) {
    std::copy(values.begin(), values.end(), scratch.begin());
    const auto k = static_cast<size_t>(0.99 * static_cast<double>(n - 1));
    std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(k),
                     scratch.end());
    benchmark::DoNotOptimize(scratch[k]);
  }
  state.counters["value_bytes"] = static_cast<double>(n * sizeof(double));
}
BENCHMARK(BM_QuantileBaseline_NthElementOnCopy)->Arg(300)->Arg(1 << 16)->Arg(1 << 20);

// Rolling a minute into an hour: merge of a typical per-minute sketch.
void BM_DDSketchMergeMinute(benchmark::State& state) {
  const auto& values = Latencies();
  DDSketch minute;
  for (size_t i = 0; i < 300; ++i) minute.Add(values[i]);
  DDSketch hour;
  for (auto _ : state) {
    hour.Merge(minute);
    benchmark::ClobberMemory();
  }
  state.counters["minute_sketch_bytes"] = static_cast<double>(minute.MemoryBytes());
}
BENCHMARK(BM_DDSketchMergeMinute);

}  // namespace
}  // namespace inferscope
