#include "insight/anomaly_replay.h"

#include <algorithm>
#include <map>

#include "detect/detection_engine.h"
#include "insight/anomaly_explainer.h"

namespace inferscope {
namespace {

using Buckets = std::vector<std::pair<TimestampNs, const BucketStats*>>;

// Merge of the buckets in [from, to).
BucketStats MergeRange(const Buckets& buckets, TimestampNs from, TimestampNs to) {
  BucketStats out;
  auto it = std::lower_bound(buckets.begin(), buckets.end(), from,
                             [](const auto& b, TimestampNs t) { return b.first < t; });
  for (; it != buckets.end() && it->first < to; ++it) out.Merge(*it->second);
  return out;
}

}  // namespace

Result<std::vector<Anomaly>> AnomalyReplay::Run(
    const std::vector<std::pair<std::string, const TimeRollup*>>& models,
    const Dimensions* dimensions,
    const std::vector<std::pair<std::string, const TimeRollup*>>& series) const {
  INFERSCOPE_ASSIGN_OR_RETURN(auto engine,
                              DetectionEngine::Create(options_.specs, options_.tracker));
  if (models.empty()) return std::vector<Anomaly>{};
  const int64_t width = models.front().second->width_ns();

  std::map<std::string, Buckets> sorted;
  for (const auto& [name, rollup] : models) sorted[name] = rollup->Sorted();

  // The fleet-wide merge: counters and sums only. Fleet specs (error rate, traffic) and the
  // explanations never read its percentiles, and skipping the sketches halves Finish.
  std::map<TimestampNs, BucketStats> fleet;
  for (const auto& [name, rollup] : models) {
    for (const auto& [start, stats] : sorted[name]) fleet[start].MergeCounters(*stats);
  }
  Buckets& fleet_sorted = sorted["*"];
  for (const auto& [start, stats] : fleet) fleet_sorted.emplace_back(start, &stats);
  // Sub-series go in after the fleet merge: they are parts of models already counted.
  for (const auto& [name, rollup] : series) {
    if (rollup->width_ns() == width) sorted.emplace(name, rollup->Sorted());
  }

  const BucketStats empty;
  for (const auto& [name, buckets] : sorted) {
    if (buckets.empty()) continue;
    TimestampNs expected = buckets.front().first;
    for (const auto& [start, stats] : buckets) {
      int64_t missing = (start - expected) / width;
      if (missing > 0 && missing <= options_.max_gap_buckets) {
        for (int64_t i = 0; i < missing; ++i) engine->Observe(name, expected + i * width, empty);
      }
      engine->Observe(name, start, *stats);
      expected = start + width;
    }
  }

  std::vector<Anomaly> anomalies = engine->Anomalies();
  AnomalyExplainer explainer;
  for (Anomaly& a : anomalies) {
    const Buckets& buckets = sorted[a.model];
    TimestampNs end = (a.state == AnomalyState::kResolved ? a.end_ns : a.last_seen_ns) + width;
    BucketStats window = MergeRange(buckets, a.start_ns, end);
    BucketStats baseline = MergeRange(buckets, a.start_ns - options_.baseline_ns, a.start_ns);
    std::vector<ShareShift> shifts;
    if (dimensions != nullptr && dimensions->dictionaries != nullptr) {
      DimensionTotals window_dims, baseline_dims;
      for (const auto& [name, rollup] : dimensions->models) {
        if ((a.model != "*" && a.model != name) || rollup->width_ns() != width) continue;
        rollup->Collect(a.start_ns, end, &window_dims);
        rollup->Collect(a.start_ns - options_.baseline_ns, a.start_ns, &baseline_dims);
      }
      shifts = DimensionShareShifts(window_dims, baseline_dims, *dimensions->dictionaries);
    }
    explainer.Explain(window, baseline, &a, shifts);
  }
  return anomalies;
}

}  // namespace inferscope
