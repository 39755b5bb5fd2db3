#include "stats/bucket_stats.h"

#include <cmath>
#include <limits>

namespace inferscope {

void BucketStats::Add(const Event& event) {
  ++requests;
  if (event.status != EventStatus::kOk) {
    ++errors;
    if (event.status == EventStatus::kTimeout) ++timeouts;
  }
  uint32_t mask = event.present_mask();
  while (mask != 0) {
    int f = __builtin_ctz(mask);
    mask &= mask - 1;
    sum[f] += event.Get(static_cast<EventField>(f));
    ++present[f];
  }
  if (event.Has(EventField::kLatencyMs)) latency_ms.Add(event.Get(EventField::kLatencyMs));
}

void BucketStats::Merge(const BucketStats& other) {
  requests += other.requests;
  errors += other.errors;
  timeouts += other.timeouts;
  for (int f = 0; f < kEventFieldCount; ++f) {
    sum[f] += other.sum[f];
    present[f] += other.present[f];
  }
  latency_ms.Merge(other.latency_ms);
}

double BucketStats::Mean(EventField field) const {
  int f = static_cast<int>(field);
  if (present[f] == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum[f] / present[f];
}

}  // namespace inferscope
