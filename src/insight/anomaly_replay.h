#ifndef INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_
#define INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "detect/metric_spec.h"
#include "insight/dimension_rollup.h"
#include "stats/time_rollup.h"

namespace inferscope {

// Runs the detection engine over finished rollups, as if the buckets had arrived live:
// each model's buckets in time order with empty buckets for minutes without requests (so
// traffic drops are seen), plus the fleet-wide merge as model "*". Then explains every
// incident from the rollups (AnomalyExplainer), comparing its window with the hour before.
//
// Used by `analyze` (replay of the logs). Cost: O(buckets x metrics); memory: one detector
// ensemble per (model, metric).
class AnomalyReplay {
 public:
  struct Options {
    std::vector<MetricSpec> specs = DefaultMetricSpecs();
    AnomalyTracker::Options tracker;
    // Gaps longer than this many buckets restart a model's series instead of feeding
    // empty buckets one by one (a model idle for days is not "dropping" every minute).
    int64_t max_gap_buckets = 1440;
    int64_t baseline_ns = kNanosPerHour;  // explanation baseline before each incident
  };

  // Optional categorical input: per model, sampled (user, task_type, cache_tier, service)
  // counts by bucket. With it, each incident's cause also names the values that gained
  // share of requests or of cost against the baseline (share shifts, see share_shift.h).
  struct Dimensions {
    const DimensionDictionaries* dictionaries = nullptr;
    std::vector<std::pair<std::string, const DimensionRollup*>> models;
  };

  explicit AnomalyReplay(Options options) : options_(std::move(options)) {}

  // `models`: (name, rollup) pairs; every rollup must have the same width. `dimensions` may
  // be null; its rollups are used only where their width matches. `series`: more (subject,
  // rollup) pairs of that width (e.g. "model/task_type=chat", AnalyzerOptions::series_by)
  // replayed like models but not merged into the fleet "*"; their incidents are explained
  // from their own buckets, without share shifts.
  Result<std::vector<Anomaly>> Run(
      const std::vector<std::pair<std::string, const TimeRollup*>>& models,
      const Dimensions* dimensions = nullptr,
      const std::vector<std::pair<std::string, const TimeRollup*>>& series = {}) const;

 private:
  Options options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_
