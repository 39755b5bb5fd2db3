#ifndef INFERSCOPE_STATS_BUCKET_STATS_H_
#define INFERSCOPE_STATS_BUCKET_STATS_H_

#include <cstdint>

#include "core/event.h"
#include "stats/dd_sketch.h"

namespace inferscope {

// Aggregates of the events of one key (e.g. one model) in one time bucket: counters, a sum
// and a count per numeric field (so averages ignore records lacking the field), and a
// latency sketch for percentiles. Mergeable, so coarser windows and fleet-wide ("*")
// series are merges of finer / per-model buckets.
//
// Size: ~190 bytes plus the latency sketch's bins (typically a few hundred bytes for a
// minute of traffic). Not thread-safe.
struct BucketStats {
  uint64_t requests = 0;
  uint64_t errors = 0;  // status != ok (includes timeouts)
  uint64_t timeouts = 0;
  double sum[kEventFieldCount] = {};
  uint32_t present[kEventFieldCount] = {};  // records carrying each field
  DDSketch latency_ms;

  void Add(const Event& event);
  void Merge(const BucketStats& other);

  // Mean of a field over the records carrying it; NaN when none did.
  double Mean(EventField field) const;
  double Sum(EventField field) const { return sum[static_cast<int>(field)]; }
  uint32_t Present(EventField field) const { return present[static_cast<int>(field)]; }
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_BUCKET_STATS_H_
