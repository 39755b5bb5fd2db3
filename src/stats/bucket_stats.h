#ifndef INFERSCOPE_STATS_BUCKET_STATS_H_
#define INFERSCOPE_STATS_BUCKET_STATS_H_

#include <bit>
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
  static_assert(static_cast<int>(EventField::kLatencyMs) == 0);

  // Inline and branch-light: a fixed loop over every field (absent ones add 0), which
  // the compiler unrolls, instead of iterating over the presence mask.
  void Add(const Event& event) {
    ++requests;
    errors += event.status != EventStatus::kOk ? 1 : 0;
    timeouts += event.status == EventStatus::kTimeout ? 1 : 0;
    const uint32_t mask = event.present_mask();
#pragma GCC unroll 16
    for (int f = 0; f < kEventFieldCount; ++f) {
      const uint32_t has = (mask >> f) & 1u;
      // An absent field adds +0.0 (the bits masked off, whatever the slot holds), which
      // leaves a sum unchanged: it is never -0.0, as it starts at +0.0.
      const uint64_t bits =
          std::bit_cast<uint64_t>(event.Get(static_cast<EventField>(f))) & (uint64_t{0} - has);
      sum[f] += std::bit_cast<double>(bits);
      present[f] += has;
    }
    if ((mask & 1u) != 0) latency_ms.Add(event.Get(EventField::kLatencyMs));
  }
  void Merge(const BucketStats& other);
  // Merge without the latency sketch (counters and sums only): for aggregates that never
  // read percentiles, at a fraction of the cost.
  void MergeCounters(const BucketStats& other);

  // Mean of a field over the records carrying it; NaN when none did.
  double Mean(EventField field) const;
  double Sum(EventField field) const { return sum[static_cast<int>(field)]; }
  uint32_t Present(EventField field) const { return present[static_cast<int>(field)]; }
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_BUCKET_STATS_H_
