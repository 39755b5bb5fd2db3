#ifndef INFERSCOPE_STATS_TIME_ROLLUP_H_
#define INFERSCOPE_STATS_TIME_ROLLUP_H_

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// Time-bucketed BucketStats for one key. Buckets are aligned to multiples of the width
// since the epoch (UTC) and exist only where events fell, so a stray timestamp far away
// costs one bucket, not the range in between.
//
// Memory is bounded: when more than `max_buckets` exist, the width doubles and neighbouring
// buckets merge (repeating as needed), so a year of data degrades resolution instead of
// exhausting memory. Callers read width() after the fact.
//
// Add is O(1) expected: an inline check against the last bucket's time range (no division),
// then a hash lookup. Not thread-safe.
class TimeRollup {
 public:
  explicit TimeRollup(int64_t width_ns, size_t max_buckets = 100'000);

  void Add(const Event& event) {
    if (event.timestamp_ns >= last_start_ && event.timestamp_ns < last_end_) [[likely]] {
      buckets_[last_slot_].Add(event);
      return;
    }
    AddSlow(event);
  }
  // Merges another rollup (same or different width; the coarser width wins).
  void Merge(const TimeRollup& other);
  // The same, moving `other`'s buckets in where this rollup has none at their time (no
  // copy of their sketches; rollups of disjoint time ranges merge at the cost of a hash
  // insert per bucket). `other` is left empty.
  void Merge(TimeRollup&& other);

  int64_t width_ns() const { return width_ns_; }
  size_t bucket_count() const { return buckets_.size(); }

  // (bucket start, stats) sorted by time.
  std::vector<std::pair<TimestampNs, const BucketStats*>> Sorted() const;

  // Coarsens to a width that is a multiple of the current one (no-op if smaller or equal).
  void Coarsen(int64_t new_width_ns);

 private:
  int64_t BucketIndex(TimestampNs ts) const;
  BucketStats& Slot(int64_t index);
  void AddSlow(const Event& event);
  void ForgetLast();

  int64_t width_ns_;
  size_t max_buckets_;
  std::vector<BucketStats> buckets_;
  std::vector<int64_t> indices_;  // bucket index of buckets_[i]
  std::unordered_map<int64_t, uint32_t> slot_of_;
  int64_t last_index_ = INT64_MIN;
  uint32_t last_slot_ = 0;
  // The time range [last_start_, last_end_) of buckets_[last_slot_]; empty when there is no
  // last bucket (or when its end is not representable).
  TimestampNs last_start_ = INT64_MAX;
  TimestampNs last_end_ = INT64_MIN;
};

// Floor division for bucket indices of negative timestamps.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_TIME_ROLLUP_H_
