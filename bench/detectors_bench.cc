// Streaming detector costs: ns per point for each detector (with its default options) on a
// realistic per-minute latency series (lognormal noise around a daily curve, a few spikes,
// NaN gaps), against the floor of a plain running mean over the same points. StateBytes is
// reported as a counter. Goal: the default ensemble >= 5M points/s per core, <= 4 KiB.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <random>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "detect/detector_factory.h"

namespace inferscope {
namespace {

constexpr int64_t kStep = kNanosPerMinute;

const std::vector<double>& Series() {
  static const std::vector<double> values = [] {
    std::mt19937_64 gen(42);
    std::lognormal_distribution<double> noise(0, 0.15);
    std::vector<double> v(1 << 16);  // ~45 days of minutes
    for (size_t i = 0; i < v.size(); ++i) {
      const double day = std::sin(2 * std::numbers::pi * static_cast<double>(i) / 1440.0);
      v[i] = (200 + 60 * day) * noise(gen);
      if (i % 5000 == 2500) v[i] *= 4;
      if (i % 7919 == 100) v[i] = std::nan("");
    }
    return v;
  }();
  return values;
}

void BM_Baseline_RunningMean(benchmark::State& state) {
  const auto& values = Series();
  for (auto _ : state) {
    double mean = 0;
    uint64_t n = 0;
    for (double x : values) {
      if (std::isnan(x)) continue;
      ++n;
      mean += (x - mean) / static_cast<double>(n);
      benchmark::DoNotOptimize(mean);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
  state.counters["state_bytes"] = 16;
}
BENCHMARK(BM_Baseline_RunningMean);

void RunDetector(benchmark::State& state, std::string_view spec) {
  const auto& values = Series();
  Result<std::unique_ptr<SeriesDetector>> made = ParseDetectorSpec(spec);
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return;
  }
  std::unique_ptr<SeriesDetector> d = std::move(*made);
  // Warm up past learning so the steady state is measured.
  for (size_t i = 0; i < values.size(); ++i) {
    (void)d->Update(static_cast<int64_t>(i) * kStep, values[i]);
  }
  int64_t ts = static_cast<int64_t>(values.size()) * kStep;
  double fired = 0;
  for (auto _ : state) {
    for (double x : values) {
      const DetectorOutput o = d->Update(ts, x);
      ts += kStep;
      fired += o.score;
    }
    benchmark::DoNotOptimize(fired);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
  state.counters["state_bytes"] = static_cast<double>(d->StateBytes());
  state.counters["ns_per_point"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(values.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ZScore(benchmark::State& s) { RunDetector(s, "zscore"); }
void BM_ZScoreEwma(benchmark::State& s) { RunDetector(s, "zscore half_life=32"); }
void BM_RobustZ(benchmark::State& s) { RunDetector(s, "robust_z"); }
void BM_Iqr(benchmark::State& s) { RunDetector(s, "iqr"); }
void BM_Band(benchmark::State& s) { RunDetector(s, "band"); }
void BM_EwmaChart(benchmark::State& s) { RunDetector(s, "ewma_chart"); }
void BM_Cusum(benchmark::State& s) { RunDetector(s, "cusum"); }
void BM_Drift(benchmark::State& s) { RunDetector(s, "drift"); }
void BM_Seasonal(benchmark::State& s) { RunDetector(s, "seasonal"); }
void BM_SeasonalDaily(benchmark::State& s) {
  RunDetector(s, "seasonal periods=1d history_bins=48");
}
BENCHMARK(BM_ZScore);
BENCHMARK(BM_ZScoreEwma);
BENCHMARK(BM_RobustZ);
BENCHMARK(BM_Iqr);
BENCHMARK(BM_Band);
BENCHMARK(BM_EwmaChart);
BENCHMARK(BM_Cusum);
BENCHMARK(BM_Drift);
BENCHMARK(BM_Seasonal);
BENCHMARK(BM_SeasonalDaily);

}  // namespace
}  // namespace inferscope
