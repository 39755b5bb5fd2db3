#ifndef INFERSCOPE_STORE_USER_COUNTERS_H_
#define INFERSCOPE_STORE_USER_COUNTERS_H_

#include <cstdint>

#include "core/event.h"
#include "core/status.h"
#include "stats/bucket_stats.h"
#include "store/byte_io.h"

namespace inferscope {

// The counters and sums of BucketStats without its sketches: what is kept per user, where
// keys are many and percentiles would cost kilobytes each (docs/format/segment.md, "user
// rollup column"). 168 bytes. Not thread-safe.
struct UserCounters {
  uint64_t requests = 0;
  uint64_t errors = 0;  // status != ok (includes timeouts)
  uint64_t timeouts = 0;
  double sum[kEventFieldCount] = {};
  uint32_t present[kEventFieldCount] = {};  // records carrying each field

  void Add(const Event& event);
  void Merge(const UserCounters& other);
  // Adds these counters and sums to `stats` (its sketches untouched), so the functions that
  // read a BucketStats' counters (means, rates, sums) read these.
  void AddTo(BucketStats* stats) const;

  // Compact encoding: varint counters, a varint bit mask of the fields present, then per
  // present field its count (varint) and sum (f64). Load validates (errors <= requests,
  // timeouts <= errors, field counts <= requests) and leaves this unchanged on DataLoss.
  void Save(ByteSink& sink) const;
  Status Load(ByteSource& source);
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_USER_COUNTERS_H_
