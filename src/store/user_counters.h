#ifndef INFERSCOPE_STORE_USER_COUNTERS_H_
#define INFERSCOPE_STORE_USER_COUNTERS_H_

#include <cstdint>

#include "core/status.h"
#include "stats/event_counters.h"
#include "store/byte_io.h"

namespace inferscope {

// What is kept per user: EventCounters (a BucketStats without its sketches), where keys are
// many and percentiles would cost kilobytes each (docs/format/segment.md, "user rollup
// column"), with the store's compact encoding. 168 bytes. Not thread-safe.
struct UserCounters : EventCounters {
  // Compact encoding: varint counters, a varint bit mask of the fields present, then per
  // present field its count (varint) and sum (f64). Load validates (errors <= requests,
  // timeouts <= errors, field counts <= requests) and leaves this unchanged on DataLoss.
  void Save(ByteSink& sink) const;
  Status Load(ByteSource& source);
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_USER_COUNTERS_H_
