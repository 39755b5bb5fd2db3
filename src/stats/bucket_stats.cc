#include "stats/bucket_stats.h"

#include <cmath>
#include <limits>

namespace inferscope {

void BucketStats::Merge(const BucketStats& other) {
  MergeCounters(other);
  latency_ms.Merge(other.latency_ms);
  ttft_ms.Merge(other.ttft_ms);
}

void BucketStats::MergeWithoutTtft(const BucketStats& other) {
  MergeCounters(other);
  latency_ms.Merge(other.latency_ms);
}

}  // namespace inferscope
