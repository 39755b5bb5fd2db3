#ifndef INFERSCOPE_INSIGHT_AGGREGATE_OUTLIER_FINDER_H_
#define INFERSCOPE_INSIGHT_AGGREGATE_OUTLIER_FINDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "insight/analysis_report.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// Flags per-bucket aggregates of one model (p95 latency, error rate, request count) that sit
// far from a robust rolling baseline: the median and MAD of the preceding `baseline_buckets`
// judged buckets. A bucket is flagged when its robust z passes `z_threshold` AND the change
// is material (latency +25% or more, error rate +5 points or more, requests ±50% or more),
// so tiny absolute moves on a quiet baseline are not outliers.
//
// Latency and errors are judged upwards only; requests both ways (a drop matters). Buckets
// missing between the first and the last one count as zero requests.
class AggregateOutlierFinder {
 public:
  struct Options {
    double z_threshold = 5.0;
    int baseline_buckets = 60;
    int min_baseline = 10;
    uint64_t min_requests = 5;
  };
  explicit AggregateOutlierFinder(Options options) : options_(options) {}

  // `buckets` sorted by start time, all of width `width_ns`. Appends to `out`.
  void Find(const std::string& model,
            const std::vector<std::pair<TimestampNs, const BucketStats*>>& buckets,
            int64_t width_ns, std::vector<AggregateOutlier>* out) const;

 private:
  Options options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_AGGREGATE_OUTLIER_FINDER_H_
