#ifndef INFERSCOPE_TESTS_INSIGHT_SAMPLE_REPORT_H_
#define INFERSCOPE_TESTS_INSIGHT_SAMPLE_REPORT_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "detect/incident_grouping.h"
#include "insight/analysis_report.h"

namespace inferscope {

// Test helpers for the report writers.

// A small, hand-built AnalysisReport for the report writers' tests and golden files: two
// models over ten one-minute windows starting 2024-05-01T12:00:00Z, a few outliers, a 3×3
// correlation matrix with one absent pair, and an investigation. Change it only together
// with the golden files (INFERSCOPE_UPDATE_GOLDEN=1).
inline AnalysisReport MakeSampleReport() {
  constexpr TimestampNs kStart = 1714564800 * kNanosPerSecond;  // 2024-05-01T12:00:00Z
  constexpr int kWindows = 10;

  AnalysisReport r;
  r.tool_version = "0.1.0";

  r.input.sources = {"logs/a.jsonl", "logs/b.jsonl.gz"};
  r.input.bytes = 1'048'576;
  r.input.lines = 1'215;
  r.input.accepted = 1'200;
  r.input.rejected = 12;
  r.input.filtered_out = 3;
  r.input.first_rejects = {
      {"logs/a.jsonl", 17, "invalid JSON: unexpected end of input"},
      {"logs/b.jsonl.gz", 102, "field latency_ms: expected a number, got string"},
  };

  Summary& s = r.summary;
  s.total_requests = 1'200;
  s.start_ns = kStart + 250 * kNanosPerMilli;
  s.end_ns = kStart + 599 * kNanosPerSecond;
  s.duration_s = 598.75;
  s.throughput_rps = 1200 / 598.75;
  s.errors = 30;
  s.timeouts = 6;
  s.error_rate = 0.025;
  s.latency_ms = {1200, 412.5, 18.2, 350.1, 720.4, 910.0, 1480.7, 3021.9};
  s.ttft_ms = {1100, 88.4, 9.1, 71.0, 150.2, 190.8, 310.5, 612.0};
  s.input_tokens = 480'000;
  s.output_tokens = 156'000;
  s.cost_usd = 12.3456;
  s.avg_batch_size = 6.4;
  s.avg_gpu_util = 71.25;
  s.cache_hit_rate = 0.315;

  ModelSummary llama;
  llama.model = "llama-3-8b";
  llama.count = 800;
  llama.share = 800.0 / 1200.0;
  llama.errors = 12;
  llama.timeouts = 2;
  llama.error_rate = 0.015;
  llama.requests_per_s = 800 / 598.75;
  llama.latency_ms = {800, 301.2, 18.2, 280.0, 510.3, 640.9, 990.0, 2100.4};
  llama.ttft_ms = {780, 61.3, 9.1, 55.0, 101.2, 130.0, 201.7, 400.0};
  llama.input_tokens = 300'000;
  llama.output_tokens = 100'000;
  llama.cost_usd = 4.8;
  llama.cost_per_1k_requests = 6.0;
  llama.avg_batch_size = 7.1;
  llama.avg_batch_fill_ratio = 0.89;
  llama.avg_gpu_util = 68.5;
  llama.avg_queue_depth = 2.25;
  llama.cache_hit_rate = 0.4;

  ModelSummary mistral;
  mistral.model = "mistral-7b";
  mistral.count = 400;
  mistral.share = 400.0 / 1200.0;
  mistral.errors = 18;
  mistral.timeouts = 4;
  mistral.error_rate = 0.045;
  mistral.requests_per_s = 400 / 598.75;
  mistral.latency_ms = {400, 635.1, 40.7, 590.2, 1050.0, 1320.4, 2010.9, 3021.9};
  mistral.ttft_ms = {320, 154.6, 20.3, 140.1, 260.0, 301.9, 480.3, 612.0};
  mistral.input_tokens = 180'000;
  mistral.output_tokens = 56'000;
  mistral.cost_usd = 7.5456;
  mistral.cost_per_1k_requests = 18.864;
  mistral.avg_batch_size = 5.0;
  mistral.avg_batch_fill_ratio = kAbsent;  // mistral's logs carry no batch capacity
  mistral.avg_gpu_util = 76.75;
  mistral.avg_queue_depth = kAbsent;
  mistral.cache_hit_rate = kAbsent;
  r.models = {llama, mistral};

  r.trends.window_ns = kNanosPerMinute;
  auto make_series = [&](const std::string& model, uint64_t base_requests, double base_latency,
                         double cost_per_request) {
    TrendSeries series;
    series.model = model;
    for (int i = 0; i < kWindows; ++i) {
      TrendPoint p;
      p.start_ns = kStart + i * kNanosPerMinute;
      // Window 2 is empty (a gap in the logs); window 7 is the latency spike.
      p.requests = i == 2 ? 0 : base_requests + static_cast<uint64_t>(i % 3);
      p.errors = i == 7 ? p.requests / 5 : (i == 2 ? 0 : 1);
      p.cost_usd = static_cast<double>(p.requests) * cost_per_request;
      p.tokens = static_cast<double>(p.requests) * 530.0;
      if (p.requests > 0) {
        double factor = i == 7 ? 3.0 : 1.0 + 0.02 * i;
        p.error_rate = static_cast<double>(p.errors) / static_cast<double>(p.requests);
        p.latency_mean_ms = base_latency * factor;
        p.latency_p50_ms = base_latency * factor * 0.9;
        p.latency_p95_ms = base_latency * factor * 2.0;
        p.latency_p99_ms = base_latency * factor * 3.5;
        p.gpu_util_mean = i == 4 ? kAbsent : 60.0 + 2.5 * i;
      }
      series.points.push_back(p);
    }
    return series;
  };
  r.trends.series = {make_series("*", 133, 412.5, 0.0103),
                     make_series("llama-3-8b", 88, 301.2, 0.006),
                     make_series("mistral-7b", 44, 635.1, 0.0189)};

  Outliers& o = r.outliers;
  o.field = "latency_ms";
  o.methods = {{"zscore", 3.0, 9}, {"robust_z", 3.5, 14}, {"iqr", 1.5, 21}};
  // Grouped by method, in `methods` order, most extreme first within a method.
  o.worst = {
      {"zscore", "mistral-7b", "req-7f3a", kStart + 7 * kNanosPerMinute + 1234 * kNanosPerMilli,
       "latency_ms", 3021.9, 635.1, 6.2},
      {"robust_z", "mistral-7b", "req-7f3a", kStart + 7 * kNanosPerMinute + 1234 * kNanosPerMilli,
       "latency_ms", 3021.9, 590.2, 11.4},
      {"robust_z", "llama-3-8b", "req-0042", kStart + 7 * kNanosPerMinute + 20 * kNanosPerSecond,
       "latency_ms", 2100.4, 280.0, 9.8},
      {"iqr", "llama-3-8b", "req-0117", kStart + 3 * kNanosPerMinute, "latency_ms", 1650.0, 280.0,
       4.2},
  };
  o.aggregates = {
      {"mistral-7b", kStart + 7 * kNanosPerMinute, "latency_p95_ms", 3810.6, 1290.0, 8.7},
      {"*", kStart + 7 * kNanosPerMinute, "error_rate", 0.2, 0.0075, 6.1},
  };

  Correlations& c = r.correlations;
  c.fields = {"latency_ms", "output_tokens", "gpu_util"};
  c.pearson = {1.0, 0.8213, 0.312, 0.8213, 1.0, kAbsent, 0.312, kAbsent, 1.0};
  c.spearman = {1.0, 0.8547, 0.2871, 0.8547, 1.0, kAbsent, 0.2871, kAbsent, 1.0};
  c.pearson_rows = 1'200;
  c.spearman_rows = 1'200;

  Investigation& inv = r.investigation;
  inv.present = true;
  inv.model = "*";
  inv.from_ns = kStart + 7 * kNanosPerMinute;
  inv.to_ns = kStart + 8 * kNanosPerMinute;
  inv.baseline_from_ns = kStart + 6 * kNanosPerMinute;
  inv.baseline_to_ns = kStart + 7 * kNanosPerMinute;
  inv.metrics = {
      {"latency_p95_ms", 860.2, 2475.0, 187.72}, {"requests_per_s", 2.25, 2.2, -2.22},
      {"batch_size", 6.1, 11.8, 93.44},          {"gpu_util", 72.5, 97.5, 34.48},
      {"queue_depth", kAbsent, 4.0, kAbsent},
  };
  inv.findings = {
      "p95 latency rose 188% (860 ms -> 2,475 ms) while traffic was flat.",
      "Batch size nearly doubled (6.1 -> 11.8) and GPU utilisation reached 97.5%.",
  };
  return r;
}

// Three explained anomalies in two incidents, replacing `r`'s: a latency spike (high) and an
// error burst (critical) of llama that overlap (one incident, named after the spike, which
// starts first), and a traffic drop of mistral later, still firing.
inline void SetGroupedAnomalies(AnalysisReport& r) {
  constexpr TimestampNs kStart = 1714564800 * kNanosPerSecond;  // 2024-05-01T12:00:00Z
  auto make = [&](std::string id, AnomalyKind kind, std::string model, std::string metric,
                  Severity severity, int from_min, int to_min) {
    Anomaly a;
    a.id = std::move(id);
    a.kind = kind;
    a.model = std::move(model);
    a.metric = std::move(metric);
    a.severity = severity;
    a.state = AnomalyState::kResolved;
    a.start_ns = a.fired_ns = a.peak_ns = kStart + from_min * kNanosPerMinute;
    a.end_ns = a.last_seen_ns = kStart + to_min * kNanosPerMinute;
    a.summary = "Summary of " + a.metric + ".";
    a.cause = "Cause of " + a.metric + ".";
    a.recommendation = "Do something about " + a.metric + ".";
    return a;
  };
  r.anomalies_checked = true;
  r.anomalies = {
      make("a-00000000000000a1", AnomalyKind::kLatencySpike, "llama", "latency_p95_ms",
           Severity::kHigh, 2, 6),
      make("a-00000000000000a2", AnomalyKind::kErrorBurst, "llama", "error_rate",
           Severity::kCritical, 3, 7),
      make("a-00000000000000b1", AnomalyKind::kTrafficDrop, "mistral", "requests",
           Severity::kMedium, 8, 9),
  };
  r.anomalies[2].state = AnomalyState::kFiring;
  r.anomalies[2].end_ns = 0;
  AssignIncidents(r.anomalies, kIncidentGapNs);
}

// Compares `actual` with tests/data/golden/<name>. With INFERSCOPE_UPDATE_GOLDEN=1 in the
// environment it rewrites the golden file instead (review the diff before committing).
inline void ExpectMatchesGolden(std::string_view name, const std::string& actual) {
  const std::string path =
      std::string(INFERSCOPE_SOURCE_DIR) + "/tests/data/golden/" + std::string(name);
  const char* update = std::getenv("INFERSCOPE_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream out(path, std::ios::binary);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path
                         << "; run with INFERSCOPE_UPDATE_GOLDEN=1 to create it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual)
      << "output differs from " << path << "; if intended, rerun with INFERSCOPE_UPDATE_GOLDEN=1";
}

}  // namespace inferscope

#endif  // INFERSCOPE_TESTS_INSIGHT_SAMPLE_REPORT_H_
