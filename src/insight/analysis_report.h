#ifndef INFERSCOPE_INSIGHT_ANALYSIS_REPORT_H_
#define INFERSCOPE_INSIGHT_ANALYSIS_REPORT_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/anomaly.h"

namespace inferscope {

// The result of `inferscope analyze`: a plain snapshot struct, produced once by the Analyzer
// and turned into text by one writer per format (table, JSON, CSV, Markdown, HTML).
// Adding a format is adding a writer; writers never compute statistics.
//
// Convention: a double that is NaN means "not available" (the field was absent from every
// record involved); writers print it as null / "-". Counts are never NaN.

inline constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// Distribution of one numeric field. Quantiles come from a DDSketch with relative error
// <= 1% (see stats/dd_sketch.h); avg, min, max are exact.
struct Distribution {
  uint64_t count = 0;
  double avg = kAbsent;
  double min = kAbsent;
  double p50 = kAbsent;
  double p90 = kAbsent;
  double p95 = kAbsent;
  double p99 = kAbsent;
  double max = kAbsent;
};

struct InputInfo {
  std::vector<std::string> sources;  // files read, in order ("-" for stdin)
  uint64_t bytes = 0;                // bytes after decompression
  uint64_t lines = 0;                // non-empty lines seen
  uint64_t accepted = 0;             // records that became events
  uint64_t rejected = 0;             // malformed lines + records with wrong-typed fields
  uint64_t filtered_out = 0;         // valid records dropped by --from/--to/--model/...
  struct Reject {
    std::string source;
    uint64_t line = 0;  // 1-based
    std::string reason;
  };
  std::vector<Reject> first_rejects;  // the first N (N = AnalyzerOptions::max_reported_rejects)
};

struct Summary {
  uint64_t total_requests = 0;
  TimestampNs start_ns = 0;  // first event's timestamp
  TimestampNs end_ns = 0;    // last event's timestamp
  double duration_s = 0;
  double throughput_rps = kAbsent;  // total / duration (absent for a single instant)
  uint64_t errors = 0;              // status != ok (errors + timeouts)
  uint64_t timeouts = 0;
  double error_rate = 0;  // errors / total
  Distribution latency_ms;
  Distribution ttft_ms;
  double input_tokens = 0;
  double output_tokens = 0;
  double cost_usd = 0;
  double avg_batch_size = kAbsent;
  double avg_gpu_util = kAbsent;    // percent
  double cache_hit_rate = kAbsent;  // hits / records carrying cache_hit
};

struct ModelSummary {
  std::string model;
  uint64_t count = 0;
  double share = 0;  // count / total, 0..1
  uint64_t errors = 0;
  uint64_t timeouts = 0;
  double error_rate = 0;
  double requests_per_s = kAbsent;  // count / the whole input's duration
  Distribution latency_ms;
  Distribution ttft_ms;
  double input_tokens = 0;
  double output_tokens = 0;
  double cost_usd = 0;
  double cost_per_1k_requests = kAbsent;
  double avg_batch_size = kAbsent;
  double avg_batch_fill_ratio = kAbsent;
  double avg_gpu_util = kAbsent;
  double avg_queue_depth = kAbsent;
  double cache_hit_rate = kAbsent;
};

// One time window of a trend. Windows with no request are present with requests = 0.
struct TrendPoint {
  TimestampNs start_ns = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;
  double error_rate = kAbsent;
  double latency_mean_ms = kAbsent;
  double latency_p50_ms = kAbsent;
  double latency_p95_ms = kAbsent;
  double latency_p99_ms = kAbsent;
  double cost_usd = 0;
  double tokens = 0;  // input + output
  double gpu_util_mean = kAbsent;
};

struct TrendSeries {
  std::string model;  // "*" for all models together
  std::vector<TrendPoint> points;
};

struct Trends {
  int64_t window_ns = 0;
  std::vector<TrendSeries> series;  // "*" first, then one per model by descending count
};

// A single request flagged by a per-request method.
struct RequestOutlier {
  std::string method;  // "zscore", "robust_z", "iqr"
  std::string model;
  std::string request_id;
  TimestampNs timestamp_ns = 0;
  std::string field;  // "latency_ms"
  double value = 0;
  double baseline = 0;  // mean (zscore), median (robust_z, iqr) of the model's field
  double score = 0;     // z, robust z, or distance beyond the fence in IQRs (signed:
                        // negative below the baseline)
};

struct OutlierMethod {
  std::string method;
  double threshold = 0;  // |z| for zscore/robust_z; fence multiplier k for iqr
  uint64_t flagged = 0;  // requests over the threshold, all models
};

// A per-model, per-minute aggregate far from its robust rolling baseline.
struct AggregateOutlier {
  std::string model;
  TimestampNs bucket_start_ns = 0;
  std::string metric;  // "latency_p95_ms", "error_rate", "requests"
  double value = 0;
  double baseline = 0;  // rolling median of the preceding buckets
  double score = 0;     // robust z against the rolling median/MAD
};

struct Outliers {
  std::string field = "latency_ms";
  std::vector<OutlierMethod> methods;
  // Per method (in `methods` order), the most extreme requests first, at most top_outliers
  // per method; only requests over that method's threshold.
  std::vector<RequestOutlier> worst;
  std::vector<AggregateOutlier> aggregates;  // most extreme first, at most top_outliers
};

// Correlations between numeric fields. pearson/spearman are fields.size()² matrices,
// row-major; NaN where a pair has fewer than 3 joint observations or zero variance.
struct Correlations {
  std::vector<std::string> fields;
  std::vector<double> pearson;
  std::vector<double> spearman;
  uint64_t pearson_rows = 0;   // records seen (Pearson is exact over all of them)
  uint64_t spearman_rows = 0;  // rows in the uniform reservoir sample Spearman ranks
};

// A window (the spike) compared with the equally long window just before it (the baseline).
struct InvestigationMetric {
  std::string name;  // "requests_per_s", "concurrency", "batch_size", "gpu_util", ...
  double baseline = kAbsent;
  double window = kAbsent;
  double change_pct = kAbsent;  // 100 * (window - baseline) / |baseline|
};

struct Investigation {
  bool present = false;
  TimestampNs from_ns = 0;
  TimestampNs to_ns = 0;
  TimestampNs baseline_from_ns = 0;
  TimestampNs baseline_to_ns = 0;
  std::string model;  // "*" or the model investigated
  std::vector<InvestigationMetric> metrics;
  std::vector<std::string> findings;  // plain sentences, largest movers first
};

struct AnalysisReport {
  std::string tool_version;
  InputInfo input;
  Summary summary;
  std::vector<ModelSummary> models;  // by descending count
  Trends trends;
  Outliers outliers;
  Correlations correlations;
  Investigation investigation;
  // Incidents found by the detection engine replaying the input (detect/), explained by
  // insight/anomaly_explainer, in start order.
  std::vector<Anomaly> anomalies;
  bool anomalies_checked = false;  // false when detection was switched off
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANALYSIS_REPORT_H_
