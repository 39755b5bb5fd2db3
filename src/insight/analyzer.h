#ifndef INFERSCOPE_INSIGHT_ANALYZER_H_
#define INFERSCOPE_INSIGHT_ANALYZER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/detector_config.h"
#include "ingest/event_sink.h"
#include "ingest/log_reader.h"
#include "ingest/reject_log.h"
#include "insight/analysis_report.h"

namespace inferscope {

struct AnalyzerOptions {
  // Trend window; 0 picks one from the data's span (at most ~240 windows).
  int64_t trend_window_ns = 0;
  // Finest rollup bucket; per-bucket aggregate outliers are judged at this width.
  int64_t bucket_ns = kNanosPerMinute;

  // Per-request outlier thresholds (on latency_ms, per model).
  double zscore_threshold = 3.0;    // |x - mean| / sd
  double robust_z_threshold = 3.5;  // |x - median| / (1.4826 MAD), Iglewicz & Hoaglin
  double iqr_k = 1.5;               // Tukey fences Q1 - k IQR, Q3 + k IQR
  size_t top_outliers = 20;         // listed per method, and for aggregates

  // Per-model per-bucket aggregates against a rolling robust baseline of the preceding
  // `aggregate_baseline_buckets` buckets (needs at least 10 of them).
  double aggregate_z_threshold = 5.0;
  int aggregate_baseline_buckets = 60;
  uint64_t aggregate_min_requests = 5;  // buckets with fewer requests are not judged

  bool correlations = true;

  // Spike investigation: [from, to) against the `baseline_ns` just before it (0 = the same
  // length as the window).
  std::optional<TimestampNs> investigate_from_ns;
  std::optional<TimestampNs> investigate_to_ns;
  int64_t investigate_baseline_ns = 0;

  // Anomaly detection over the per-model buckets: the default engine (detect/metric_spec.h),
  // the naive operator rules (for comparison), or none.
  enum class Detectors { kDefault, kNaive, kNone };
  Detectors detectors = Detectors::kDefault;

  // Also detect anomalies per (model, value of this dimension): each such series is a
  // rollup of its own, replayed like a model's (not merged into the fleet "*"), with the
  // subject "model/task_type=chat". At most kMaxSeriesValuesPerModel values per model get
  // a series; later values share "model/task_type=(other)". Costs one untaken branch per
  // event when kNone; when set, a hash lookup and a bucket update per event, and a rollup's
  // memory (buckets x ~1 KiB) per series.
  enum class SeriesBy { kNone, kTaskType, kUser, kService };
  SeriesBy series_by = SeriesBy::kNone;
  static constexpr size_t kMaxSeriesValuesPerModel = 64;
  // When set (analyze --detector-config), these specs and tracker options are run instead.
  std::optional<DetectorConfig> detector_config;
};

// Turns a stream of Events into an AnalysisReport in one pass.
//
// Memory is bounded by models × time buckets (a TimeRollup per model, which coarsens past
// 100k buckets), plus fixed-size sketches, top-k candidates and a reservoir for Spearman:
// never by the number of events. Per event it does a handful of counter and sketch
// updates and no allocation (except the first time a model is seen, and when an event
// enters a top-k candidate list). One event in 8 per model (a deterministic counter) also
// feeds a per-model per-minute DimensionRollup (user, task_type, cache_tier, service:
// interned ids, at most 8 values per dimension per bucket, DimensionRollup::kBytesPerBucket
// = 592 bytes a bucket, bounded like the TimeRollup) from which anomaly causes name the
// values that gained share of requests or cost.
//
// Parallel use: one Analyzer per thread, each fed a contiguous part of the input, merged in
// input order with Merge, then Finish on the result. Counts, requests, errors, percentiles
// (DDSketch bins add), first/last timestamps, fields seen, trend buckets and top-k outlier
// candidates (ties go to the earlier request in the input) come out exactly as from one
// Analyzer fed everything; floating-point sums, means and Pearson correlations agree up to
// summation order. Spearman is exact when at most 50k rows were fed in all, otherwise it
// comes from a merged uniform reservoir (CorrelationMatrix::Merge) and agrees within sampling
// error. The 1-in-16 dimension sample restarts its counter in each part, so the sampled
// events (and the dimension shares anomaly causes cite) may differ slightly; value ids are
// remapped through the merged dictionaries. Per-value series (series_by) are exact when no
// part met kMaxSeriesValuesPerModel other values of a model before one an earlier part gave
// a series (that one's later events land in "(other)"); analyze uses one thread with it.
//
// OnEvent is called from one thread; Finish once at the end.
class Analyzer final : public EventSink {
 public:
  explicit Analyzer(AnalyzerOptions options = {});
  ~Analyzer() override;
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  void OnEvent(const Event& event) override;

  // Adds everything `other` was fed, which must come after what this Analyzer was fed in the
  // input (it decides ties among outlier candidates), with the same options. `other` is
  // left empty-ish and must not be used again except to be destroyed.
  void Merge(Analyzer&& other);

  // Builds the report. `read` and `rejects` describe the input (may be empty).
  AnalysisReport Finish(const LogReadStats& read, const RejectLog& rejects, uint64_t filtered_out);

  uint64_t events() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANALYZER_H_
