#include "detect/metric_spec.h"

#include <cmath>
#include <limits>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double LatencyQuantile(const BucketStats& b, double q) {
  return b.latency_ms.count() > 0 ? b.latency_ms.Quantile(q) : kNaN;
}
double LatencyP95(const BucketStats& b) { return LatencyQuantile(b, 0.95); }
double LatencyP50(const BucketStats& b) { return LatencyQuantile(b, 0.50); }
double ErrorRate(const BucketStats& b) {
  return b.requests > 0 ? static_cast<double>(b.errors) / static_cast<double>(b.requests) : kNaN;
}
double Requests(const BucketStats& b) { return static_cast<double>(b.requests); }
double GpuUtil(const BucketStats& b) { return b.Mean(EventField::kGpuUtil); }
bool Queueing(const BucketStats& b) {
  double q = b.Mean(EventField::kQueueDepth);
  return std::isfinite(q) && q >= 1.0;
}
double BatchFill(const BucketStats& b) { return b.Mean(EventField::kBatchFillRatio); }
double Cost(const BucketStats& b) {
  return b.Present(EventField::kCostUsd) > 0 ? b.Sum(EventField::kCostUsd) : kNaN;
}
double CacheHitRate(const BucketStats& b) { return b.Mean(EventField::kCacheHit); }
double Quality(const BucketStats& b) { return b.Mean(EventField::kQualityScore); }
double LatencyP99(const BucketStats& b) { return LatencyQuantile(b, 0.99); }
double TtftMean(const BucketStats& b) { return b.Mean(EventField::kTtftMs); }
// NaN when no event of the bucket carried a TTFT (non-streaming or embedding traffic), so a
// model without TTFT never gets a series of zeros.
double TtftP95(const BucketStats& b) {
  return b.ttft_ms.count() > 0 ? b.ttft_ms.Quantile(0.95) : kNaN;
}
double QueueDepth(const BucketStats& b) { return b.Mean(EventField::kQueueDepth); }
double MemoryUsed(const BucketStats& b) { return b.Mean(EventField::kMemoryUsedGb); }
double TokensPerRequest(const BucketStats& b) {
  const double in = b.Mean(EventField::kInputTokens), out = b.Mean(EventField::kOutputTokens);
  if (std::isnan(in) && std::isnan(out)) return kNaN;
  return (std::isnan(in) ? 0 : in) + (std::isnan(out) ? 0 : out);
}

constexpr MetricExtractor kExtractors[] = {
    {"latency_p50_ms", AnomalyKind::kLatencyDrift, LatencyP50, nullptr},
    {"latency_p95_ms", AnomalyKind::kLatencySpike, LatencyP95, nullptr},
    {"latency_p99_ms", AnomalyKind::kLatencySpike, LatencyP99, nullptr},
    {"ttft_ms", AnomalyKind::kLatencySpike, TtftMean, nullptr},
    {"ttft_p95_ms", AnomalyKind::kLatencySpike, TtftP95, nullptr},
    {"error_rate", AnomalyKind::kErrorBurst, ErrorRate, nullptr},
    {"requests", AnomalyKind::kTrafficDrop, Requests, nullptr},
    {"gpu_util", AnomalyKind::kGpuUnderutil, GpuUtil, Queueing},
    {"queue_depth", AnomalyKind::kOutlier, QueueDepth, nullptr},
    {"batch_fill_ratio", AnomalyKind::kPoorBatching, BatchFill, nullptr},
    {"cost_usd", AnomalyKind::kCostSpike, Cost, nullptr},
    {"cache_hit_rate", AnomalyKind::kCacheDegradation, CacheHitRate, nullptr},
    {"quality_score", AnomalyKind::kQualityDrop, Quality, nullptr},
    {"tokens_per_request", AnomalyKind::kOutlier, TokensPerRequest, nullptr},
    {"memory_used_gb", AnomalyKind::kOutlier, MemoryUsed, nullptr},
};

EnsembleOptions Floors(Direction d, double abs_dev, double rel_dev) {
  EnsembleOptions o;
  o.direction = d;
  o.min_abs_deviation = abs_dev;
  o.min_rel_deviation = rel_dev;
  return o;
}

}  // namespace

std::vector<MetricSpec> DefaultMetricSpecs() {
  std::vector<MetricSpec> specs;
  auto add = [&](MetricSpec s) { specs.push_back(std::move(s)); };
  add({"latency_p95_ms",
       AnomalyKind::kLatencySpike,
       {"robust_z window=60 threshold=6 direction=above min_points=20",
        "cusum window=60 k=1 h=12 direction=above min_points=30"},
       Floors(Direction::kAbove, 5, 0.3),
       5,
       LatencyP95,
       nullptr,
       true,
       false});
  add({"latency_p50_ms",
       AnomalyKind::kLatencyDrift,
       {"drift window=240 blocks=8 threshold=0.5 direction=above"},
       Floors(Direction::kAbove, 5, 0.3),
       5,
       LatencyP50,
       nullptr,
       true,
       false});
  // The tail of time to first token, judged like the latency tail: a prefill or scheduling
  // stall that hits a few percent of requests moves the p95 several-fold while the mean and
  // the end-to-end latency of long generations barely move.
  add({"ttft_p95_ms",
       AnomalyKind::kLatencySpike,
       {"robust_z window=60 threshold=6 direction=above min_points=20",
        "cusum window=60 k=1 h=12 direction=above min_points=30"},
       Floors(Direction::kAbove, 5, 0.3),
       5,
       TtftP95,
       nullptr,
       true,
       false});
  add({"error_rate",
       AnomalyKind::kErrorBurst,
       {"robust_z window=60 threshold=6 direction=above min_points=20"},
       Floors(Direction::kAbove, 0.05, 0.5),
       5,
       ErrorRate,
       nullptr,
       true,
       true});
  specs.back().min_events = 2;
  // Counts per minute are Poisson-noisy: at 25 requests a minute a fall to 15% is only ~4.5
  // robust sigmas per point, under the robust z's 6, yet obvious over a few minutes. The held
  // CUSUM adds those minutes up and stays in alarm while the fall lasts (a reset CUSUM
  // alarms every few points with quiet points between, which the pending period drops).
  add({"requests",
       AnomalyKind::kTrafficDrop,
       {"robust_z window=60 threshold=6 direction=below min_points=20",
        "cusum window=60 k=1 h=12 direction=below min_points=30 hold=1"},
       Floors(Direction::kBelow, 3, 0.5),
       0,
       Requests,
       nullptr,
       true,
       true});
  add({"gpu_util",
       AnomalyKind::kGpuUnderutil,
       {"robust_z window=60 threshold=6 direction=below min_points=20"},
       Floors(Direction::kBelow, 15, 0.25),
       5,
       GpuUtil,
       Queueing,
       true,
       false});
  add({"batch_fill_ratio",
       AnomalyKind::kPoorBatching,
       {"robust_z window=60 threshold=6 direction=below min_points=20"},
       Floors(Direction::kBelow, 0.15, 0.3),
       5,
       BatchFill,
       nullptr,
       true,
       false});
  add({"cost_usd",
       AnomalyKind::kCostSpike,
       {"robust_z window=60 threshold=6 direction=above min_points=20"},
       Floors(Direction::kAbove, 0, 0.5),
       5,
       Cost,
       nullptr,
       true,
       false});
  add({"cache_hit_rate",
       AnomalyKind::kCacheDegradation,
       {"robust_z window=60 threshold=4 direction=below min_points=20",
        "cusum window=60 k=1 h=8 direction=below min_points=30 hold=1"},
       Floors(Direction::kBelow, 0.1, 0.3),
       20,
       CacheHitRate,
       nullptr,
       true,
       false});
  add({"quality_score",
       AnomalyKind::kQualityDrop,
       {"robust_z window=60 threshold=6 direction=below min_points=20"},
       Floors(Direction::kBelow, 0, 0.05),
       5,
       Quality,
       nullptr,
       true,
       false});
  return specs;
}

const MetricExtractor* FindMetricExtractor(std::string_view name) {
  for (const MetricExtractor& e : kExtractors) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::vector<std::string_view> MetricExtractorNames() {
  std::vector<std::string_view> names;
  for (const MetricExtractor& e : kExtractors) names.push_back(e.name);
  return names;
}

bool IsMultivariate(const MetricSpec& spec) {
  if (spec.detectors.size() != 1) return false;
  std::string_view line = spec.detectors[0];
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  line.remove_prefix(start);
  constexpr std::string_view kName = "isolation_forest";
  return line.substr(0, kName.size()) == kName &&
         (line.size() == kName.size() || line[kName.size()] == ' ' || line[kName.size()] == '\t');
}

MetricSpec MultivariateMetricSpec(std::string_view options) {
  MetricSpec s;
  s.metric = std::string(kMultivariateMetric);
  s.kind = AnomalyKind::kOutlier;
  s.detectors = {options.empty() ? std::string("isolation_forest")
                                 : "isolation_forest " + std::string(options)};
  s.min_requests = 5;
  s.per_model = true;
  s.fleet = false;
  return s;
}

std::vector<MetricSpec> NaiveMetricSpecs() {
  const EnsembleOptions none;
  EnsembleOptions above = none, below = none;
  above.direction = Direction::kAbove;
  below.direction = Direction::kBelow;
  return {
      {"latency_p95_ms",
       AnomalyKind::kLatencySpike,
       {"ratio_to_baseline k=3 window=60 min_points=10"},
       above,
       1,
       LatencyP95,
       nullptr,
       true,
       false},
      {"error_rate",
       AnomalyKind::kErrorBurst,
       {"threshold threshold=0.05"},
       above,
       1,
       ErrorRate,
       nullptr,
       true,
       true},
      {"requests",
       AnomalyKind::kTrafficDrop,
       {"ratio_to_baseline k=2 window=60 min_points=10 direction=below"},
       below,
       0,
       Requests,
       nullptr,
       true,
       true},
      {"gpu_util",
       AnomalyKind::kGpuUnderutil,
       {"threshold threshold=40 direction=below"},
       below,
       1,
       GpuUtil,
       [](const BucketStats& b) {
         double q = b.Mean(EventField::kQueueDepth);
         return std::isfinite(q) && q > 0;
       },
       true,
       false},
      {"batch_fill_ratio",
       AnomalyKind::kPoorBatching,
       {"threshold threshold=0.3 direction=below ignore_zero=1"},
       below,
       1,
       BatchFill,
       nullptr,
       true,
       false},
      {"cost_usd",
       AnomalyKind::kCostSpike,
       {"ratio_to_baseline k=2 window=60 min_points=10"},
       above,
       1,
       Cost,
       nullptr,
       true,
       false},
      {"cache_hit_rate",
       AnomalyKind::kCacheDegradation,
       {"baseline_drop max_drop_pct=20 window=60 min_points=10"},
       below,
       1,
       CacheHitRate,
       nullptr,
       true,
       false},
  };
}

AnomalyTracker::Options NaiveTrackerOptions() {
  AnomalyTracker::Options o;
  o.pending_for_ns = 0;
  o.resolve_after_ns = kNanosPerMinute;
  o.cooldown_ns = 0;
  return o;
}

}  // namespace inferscope
