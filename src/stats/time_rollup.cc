#include "stats/time_rollup.h"

#include <algorithm>
#include <numeric>

namespace inferscope {

TimeRollup::TimeRollup(int64_t width_ns, size_t max_buckets)
    : width_ns_(width_ns > 0 ? width_ns : kNanosPerMinute),
      max_buckets_(std::max<size_t>(max_buckets, 16)) {}

int64_t TimeRollup::BucketIndex(TimestampNs ts) const { return FloorDiv(ts, width_ns_); }

BucketStats& TimeRollup::Slot(int64_t index) {
  if (index == last_index_) return buckets_[last_slot_];
  auto [it, inserted] = slot_of_.try_emplace(index, static_cast<uint32_t>(buckets_.size()));
  if (inserted) {
    buckets_.emplace_back();
    indices_.push_back(index);
  }
  last_index_ = index;
  last_slot_ = it->second;
  // The range of the bucket, unless its bounds overflow (then Add always takes AddSlow).
  int64_t start, end;
  if (!__builtin_mul_overflow(index, width_ns_, &start) &&
      !__builtin_add_overflow(start, width_ns_, &end)) {
    last_start_ = start;
    last_end_ = end;
  } else {
    last_start_ = INT64_MAX;
    last_end_ = INT64_MIN;
  }
  return buckets_[last_slot_];
}

void TimeRollup::ForgetLast() {
  last_index_ = INT64_MIN;
  last_start_ = INT64_MAX;
  last_end_ = INT64_MIN;
}

void TimeRollup::AddSlow(const Event& event) {
  const size_t before = buckets_.size();
  const uint32_t previous = last_slot_;
  BucketStats& b = Slot(BucketIndex(event.timestamp_ns));
  // A new bucket's latencies will most likely span what the previous one's did: sizing its
  // sketches alike up front saves regrowing them value by value.
  if (buckets_.size() != before && before != 0) {
    b.latency_ms.ReserveLike(buckets_[previous].latency_ms);
    b.ttft_ms.ReserveLike(buckets_[previous].ttft_ms);
  }
  b.Add(event);
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

void TimeRollup::Coarsen(int64_t new_width_ns) {
  if (new_width_ns <= width_ns_) return;
  std::vector<BucketStats> old = std::move(buckets_);
  std::vector<int64_t> old_indices = std::move(indices_);
  buckets_.clear();
  indices_.clear();
  slot_of_.clear();
  ForgetLast();
  int64_t old_width = width_ns_;
  width_ns_ = new_width_ns;
  for (size_t i = 0; i < old.size(); ++i) {
    Slot(FloorDiv(old_indices[i] * old_width, width_ns_)).Merge(old[i]);
  }
  // Still too many (a wide spread of sparse buckets): keep doubling.
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

void TimeRollup::Merge(const TimeRollup& other) {
  if (other.width_ns_ > width_ns_) Coarsen(other.width_ns_);
  for (size_t i = 0; i < other.buckets_.size(); ++i) {
    Slot(FloorDiv(other.indices_[i] * other.width_ns_, width_ns_)).Merge(other.buckets_[i]);
  }
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

void TimeRollup::Merge(TimeRollup&& other) {
  if (other.width_ns_ > width_ns_) Coarsen(other.width_ns_);
  for (size_t i = 0; i < other.buckets_.size(); ++i) {
    const int64_t index = FloorDiv(other.indices_[i] * other.width_ns_, width_ns_);
    auto [it, inserted] = slot_of_.try_emplace(index, static_cast<uint32_t>(buckets_.size()));
    if (inserted) {
      buckets_.push_back(std::move(other.buckets_[i]));
      indices_.push_back(index);
    } else {
      buckets_[it->second].Merge(other.buckets_[i]);
    }
  }
  other.buckets_ = {};
  other.indices_ = {};
  other.slot_of_ = {};
  other.ForgetLast();
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

std::vector<std::pair<TimestampNs, const BucketStats*>> TimeRollup::Sorted() const {
  std::vector<std::pair<TimestampNs, const BucketStats*>> out;
  out.reserve(buckets_.size());
  for (size_t i = 0; i < buckets_.size(); ++i) {
    out.emplace_back(indices_[i] * width_ns_, &buckets_[i]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace inferscope
