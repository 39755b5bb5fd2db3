// Analyzer cost per record and at Finish, on pre-built Events (no parsing).
//
// The events mimic `inferscope demo --rps 20`: five models with their own latency profiles,
// API models without GPU fields, ~0.3% errors, timestamps 50 ms apart on average. A pass
// replays kEvents events (few enough to stay in cache, as the parser's one reused Event is);
// kPasses passes, each shifted in time, make two days of traffic.
//
//   BM_SumLatencyBaseline  reads every event's latency: the floor for touching the events
//   BM_AnalyzerOnEvent     ns per OnEvent (ratio to the baseline in the counters)
//   BM_AnalyzerFinish      Finish on two days of per-minute buckets (fixed cost)

#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "ingest/log_reader.h"
#include "ingest/reject_log.h"
#include "insight/analyzer.h"

namespace inferscope {
namespace {

constexpr size_t kEvents = 8192;
constexpr int kPasses = 422;  // 422 x 8192 events at 20/s: ~2 days
constexpr int64_t kGapNs = 50'000'000;

struct ModelProfile {
  const char* name;
  double latency_median_ms;
  double latency_sigma;
  bool gpu_fields;
  double weight;
};

constexpr std::array<ModelProfile, 5> kModels = {{
    {"gpt-4o-mini", 2000, 0.5, false, 0.20},
    {"llama-3-8b", 1800, 0.7, true, 0.34},
    {"llama-3-70b", 5000, 0.6, true, 0.14},
    {"mistral-7b", 900, 1.3, true, 0.16},
    {"bge-embed", 20, 0.3, true, 0.16},
}};

// Owns the strings the events point into.
struct Workload {
  std::vector<std::string> request_ids;
  std::vector<Event> events;
  int64_t span_ns = 0;
};

const Workload& GetWorkload() {
  static const Workload* w = [] {
    auto* out = new Workload;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0, 1);
    std::exponential_distribution<double> gap(1.0 / static_cast<double>(kGapNs));
    std::normal_distribution<double> normal(0, 1);
    out->request_ids.reserve(kEvents);
    for (size_t i = 0; i < kEvents; ++i) out->request_ids.push_back("req-" + std::to_string(i));
    out->events.resize(kEvents);
    TimestampNs t = 1'767'571'200'000'000'000;  // 2026-01-05
    const TimestampNs start = t;
    for (size_t i = 0; i < kEvents; ++i) {
      Event& e = out->events[i];
      double pick = unit(rng);
      size_t mi = 0;
      while (mi + 1 < kModels.size() && pick > kModels[mi].weight) pick -= kModels[mi++].weight;
      const ModelProfile& m = kModels[mi];
      t += static_cast<TimestampNs>(gap(rng));
      e.timestamp_ns = t;
      e.request_id = out->request_ids[i];
      e.model = m.name;
      const double u = unit(rng);
      e.status =
          u < 0.0003 ? EventStatus::kTimeout : (u < 0.003 ? EventStatus::kError : EventStatus::kOk);
      e.status_text = e.status == EventStatus::kOk ? "ok" : "error";
      const double latency = m.latency_median_ms * std::exp(m.latency_sigma * normal(rng));
      e.Set(EventField::kLatencyMs, std::round(latency * 10) / 10);
      e.Set(EventField::kTtftMs, std::round(latency * (0.05 + 0.2 * unit(rng)) * 10) / 10);
      const double in = std::floor(50 + 2000 * unit(rng));
      const double out_tokens = std::floor(800 * unit(rng));
      e.Set(EventField::kInputTokens, in);
      e.Set(EventField::kOutputTokens, out_tokens);
      e.Set(EventField::kCostUsd, (in * 1.5e-7 + out_tokens * 6e-7));
      if (m.gpu_fields) {
        const double batch = std::floor(1 + 31 * unit(rng));
        e.Set(EventField::kBatchSize, batch);
        e.Set(EventField::kBatchFillRatio, batch / 32);
        e.Set(EventField::kGpuUtil, std::round((30 + 50 * unit(rng)) * 10) / 10);
        e.Set(EventField::kMemoryUsedGb, std::round((20 + 10 * unit(rng)) * 10) / 10);
      }
      e.Set(EventField::kQueueDepth, std::floor(3 * unit(rng) * unit(rng)));
      e.Set(EventField::kCacheHit, unit(rng) < 0.3 ? 1 : 0);
      e.cache_tier = "none";
      e.task_type = "chat";
      e.user = "user-042";
      e.service = "gateway-a";
    }
    out->span_ns = t - start + kGapNs;
    return out;
  }();
  return *w;
}

// Replays the workload kPasses times, shifted so the stream is contiguous in time.
template <typename F>
void Replay(std::vector<Event>& events, int64_t span_ns, F&& f) {
  for (int p = 0; p < kPasses; ++p) {
    const int64_t shift = p == 0 ? 0 : span_ns;
    for (Event& e : events) {
      e.timestamp_ns += shift;
      f(e);
    }
  }
  for (Event& e : events) e.timestamp_ns -= span_ns * (kPasses - 1);
}

void BM_SumLatencyBaseline(benchmark::State& state) {
  const Workload& w = GetWorkload();
  std::vector<Event>& events = const_cast<Workload&>(w).events;
  for (auto _ : state) {
    double sum = 0;
    Replay(events, w.span_ns, [&](const Event& e) {
      if (e.Has(EventField::kLatencyMs)) sum += e.Get(EventField::kLatencyMs);
    });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kEvents) * kPasses);
}
BENCHMARK(BM_SumLatencyBaseline)->Unit(benchmark::kMillisecond);

void BM_AnalyzerOnEvent(benchmark::State& state) {
  const Workload& w = GetWorkload();
  std::vector<Event>& events = const_cast<Workload&>(w).events;
  for (auto _ : state) {
    auto analyzer = std::make_unique<Analyzer>();
    Replay(events, w.span_ns, [&](const Event& e) { analyzer->OnEvent(e); });
    benchmark::DoNotOptimize(analyzer->events());
    state.PauseTiming();
    analyzer.reset();  // destruction outside the timed region
    state.ResumeTiming();
  }
  const double n = static_cast<double>(state.iterations()) * kEvents * kPasses;
  state.counters["ns_per_event"] =
      benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kEvents) * kPasses);
}
BENCHMARK(BM_AnalyzerOnEvent)->Unit(benchmark::kMillisecond);

void BM_AnalyzerFinish(benchmark::State& state) {
  const Workload& w = GetWorkload();
  std::vector<Event>& events = const_cast<Workload&>(w).events;
  Analyzer analyzer;
  Replay(events, w.span_ns, [&](const Event& e) { analyzer.OnEvent(e); });
  const LogReadStats read;
  const RejectLog rejects;
  for (auto _ : state) {
    AnalysisReport report = analyzer.Finish(read, rejects, 0);
    benchmark::DoNotOptimize(report.summary.total_requests);
  }
}
BENCHMARK(BM_AnalyzerFinish)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inferscope
