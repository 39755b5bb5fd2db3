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
  add({"error_rate",
       AnomalyKind::kErrorBurst,
       {"robust_z window=60 threshold=6 direction=above min_points=20"},
       Floors(Direction::kAbove, 0.05, 0.5),
       5,
       ErrorRate,
       nullptr,
       true,
       true});
  add({"requests",
       AnomalyKind::kTrafficDrop,
       {"robust_z window=60 threshold=6 direction=below min_points=20"},
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
        "cusum window=60 k=0.5 h=6 direction=below min_points=30"},
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
