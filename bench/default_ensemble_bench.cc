// Throughput and state size of the default detectors (issue #3's goals: >= 5M points/s per
// core on the NAB series, <= 4 KiB of state per series).
//
//   build/bin/default_ensemble_bench [--benchmark_filter=...]
//
// BM_UnivariateOnNab: MakeDefaultUnivariateDetector() over every NAB series in turn
// (../shared/data/nab from the source root; skipped when absent), items = points.
// BM_MetricEnsemble: one default inference-metric ensemble (DefaultMetricSpecs) per point.
// BM_RunningMeanBaseline: the cheapest possible per-point work, for the ratio.
// Counters report state bytes per series.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "detect/ensemble_detector.h"
#include "detect/metric_spec.h"
#include "detect/nab_corpus.h"
#include "detect/nab_detector.h"

namespace inferscope {
namespace {

const std::vector<NabSeries>& Corpus() {
  static const std::vector<NabSeries>* corpus = [] {
    auto loaded = LoadNabCorpus(std::string(INFERSCOPE_SOURCE_DIR) + "/../shared/data/nab");
    return new std::vector<NabSeries>(loaded.ok() ? std::move(loaded).value()
                                                  : std::vector<NabSeries>{});
  }();
  return *corpus;
}

void BM_UnivariateOnNab(benchmark::State& state) {
  const auto& corpus = Corpus();
  if (corpus.empty()) {
    state.SkipWithError("NAB corpus not found");
    return;
  }
  int64_t points = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    for (const NabSeries& s : corpus) {
      auto d = MakeDefaultUnivariateDetector();
      double sum = 0;
      for (size_t i = 0; i < s.values.size(); ++i) {
        sum += d->Update(s.timestamps[i], s.values[i]).score;
      }
      benchmark::DoNotOptimize(sum);
      points += static_cast<int64_t>(s.values.size());
      bytes = std::max(bytes, d->StateBytes());
    }
  }
  state.SetItemsProcessed(points);
  state.counters["state_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_UnivariateOnNab)->Unit(benchmark::kMillisecond);

std::vector<double> LatencyLike(size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(6, 0.3);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

void BM_MetricEnsemble(benchmark::State& state) {
  const std::vector<MetricSpec> specs = DefaultMetricSpecs();
  const MetricSpec& spec = specs[static_cast<size_t>(state.range(0))];
  auto ensemble = EnsembleDetector::FromSpecs(spec.detectors, spec.ensemble);
  if (!ensemble.ok()) {
    state.SkipWithError(ensemble.status().ToString().c_str());
    return;
  }
  std::unique_ptr<EnsembleDetector> d = std::move(ensemble).value();
  const std::vector<double> values = LatencyLike(1 << 16);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(d->Update(static_cast<TimestampNs>(i), values[i & 0xFFFF]));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["state_bytes"] = static_cast<double>(d->StateBytes());
  state.SetLabel(spec.metric);
}
BENCHMARK(BM_MetricEnsemble)->DenseRange(0, 8);

void BM_RunningMeanBaseline(benchmark::State& state) {
  const std::vector<double> values = LatencyLike(1 << 16);
  double mean = 0, n = 0;
  size_t i = 0;
  for (auto _ : state) {
    n += 1;
    mean += (values[i++ & 0xFFFF] - mean) / n;
    benchmark::DoNotOptimize(mean);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RunningMeanBaseline);

}  // namespace
}  // namespace inferscope
