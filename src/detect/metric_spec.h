#ifndef INFERSCOPE_DETECT_METRIC_SPEC_H_
#define INFERSCOPE_DETECT_METRIC_SPEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/anomaly_kind.h"
#include "detect/anomaly_tracker.h"
#include "detect/ensemble_detector.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// One per-bucket metric the engine watches on every model: how to read it from a rollup
// bucket, which detectors judge it, and what kind of incident a deviation is.
struct MetricSpec {
  std::string metric;  // "latency_p95_ms"
  AnomalyKind kind = AnomalyKind::kOutlier;
  std::vector<std::string> detectors;  // spec lines, first = the one whose band is shown
  EnsembleOptions ensemble;
  // Buckets with fewer requests are not judged (their value is too noisy).
  uint64_t min_requests = 0;
  // Value of the metric in a bucket (NaN = not available).
  double (*extract)(const BucketStats&) = nullptr;
  // Extra condition on the bucket for the incident to count (e.g. GPU under-utilisation only
  // matters while requests queue); nullptr = always.
  bool (*gate)(const BucketStats&) = nullptr;
  bool per_model = true;  // watched on each model
  bool fleet = false;     // watched on the merge of all models (model "*")
  // For a metric that is a share of the bucket's requests (error_rate): a bucket only scores
  // when its deviation amounts to at least this many requests, |observed - expected| x
  // requests >= min_events (0: off). At 18 requests a minute one failed request is 5.6%, over
  // the error-rate floor of 5 points: with 2, a single failure per minute is not a burst.
  double min_events = 0;
};

// A metric the engine knows how to read from a bucket, by name (for configs): its
// extractor, the kind of incident it usually means and its default gate.
struct MetricExtractor {
  std::string_view name;
  AnomalyKind kind;
  double (*extract)(const BucketStats&);
  bool (*gate)(const BucketStats&);  // nullptr = none
};
// latency_p50_ms, latency_p95_ms, latency_p99_ms, ttft_ms (mean), ttft_p95_ms (from the
// bucket's TTFT sketch; NaN when no event carried a TTFT), error_rate, requests, gpu_util
// (gated on a queue >= 1), queue_depth, batch_fill_ratio, cost_usd (per bucket),
// cache_hit_rate, quality_score, tokens_per_request, memory_used_gb. nullptr if unknown.
const MetricExtractor* FindMetricExtractor(std::string_view name);
std::vector<std::string_view> MetricExtractorNames();

// The multivariate metric: one isolation forest per model over the bucket's whole feature
// vector (detect/multivariate_detector.h) instead of one extracted value. A spec is
// multivariate when its detectors list is exactly one line naming `isolation_forest`
// (options as ParseMultivariateSpec takes them); extract, gate and ensemble are then unused
// and min_requests still applies. Its anomalies have kind `outlier`, metric "multivariate",
// value = the isolation score and details naming the features that moved.
inline constexpr std::string_view kMultivariateMetric = "multivariate";
bool IsMultivariate(const MetricSpec& spec);
// Per model, min_requests 5, default MultivariateOptions unless `options` says otherwise
// ("threshold=0.75 window=1440").
MetricSpec MultivariateMetricSpec(std::string_view options = "");

// The inference metrics watched by default (docs/detectors.md):
// latency_p95_ms, latency_p50_ms (drift), ttft_p95_ms, error_rate, requests (traffic drop,
// per model and fleet-wide), gpu_util (with a queue), batch_fill_ratio, cost_usd,
// cache_hit_rate, quality_score.
std::vector<MetricSpec> DefaultMetricSpecs();

// The rules inference teams typically write first, for comparison (bench/incident_bench.sh):
// latency p95 > 3x its rolling mean, error rate > 5%, GPU utilisation < 40% with a queue,
// 0 < batch fill < 30%, cost > 2x its rolling average, cache hit rate down > 20%, traffic
// below half its rolling mean. No deviation floors. Pair with NaiveTrackerOptions().
std::vector<MetricSpec> NaiveMetricSpecs();

// Alerting as naive rules usually run: every breach alerts at once (no pending period) and
// one quiet minute resolves it.
AnomalyTracker::Options NaiveTrackerOptions();

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_METRIC_SPEC_H_
