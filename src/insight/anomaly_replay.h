#ifndef INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_
#define INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "detect/metric_spec.h"
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

  explicit AnomalyReplay(Options options) : options_(std::move(options)) {}

  // `models`: (name, rollup) pairs; every rollup must have the same width.
  Result<std::vector<Anomaly>> Run(
      const std::vector<std::pair<std::string, const TimeRollup*>>& models) const;

 private:
  Options options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANOMALY_REPLAY_H_
