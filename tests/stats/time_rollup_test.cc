#include "stats/time_rollup.h"

#include <gtest/gtest.h>

#include <limits>

namespace inferscope {
namespace {

Event At(TimestampNs ts, double latency, EventStatus status = EventStatus::kOk) {
  Event e;
  e.model = "m";
  e.timestamp_ns = ts;
  e.status = status;
  e.Set(EventField::kLatencyMs, latency);
  return e;
}

TEST(TimeRollupTest, BucketsAlignToMultiplesOfTheWidth) {
  TimeRollup r(kNanosPerMinute);
  r.Add(At(61 * kNanosPerSecond, 1));
  r.Add(At(119 * kNanosPerSecond, 3, EventStatus::kError));
  r.Add(At(120 * kNanosPerSecond, 5));
  auto sorted = r.Sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].first, 60 * kNanosPerSecond);
  EXPECT_EQ(sorted[0].second->requests, 2u);
  EXPECT_EQ(sorted[0].second->errors, 1u);
  EXPECT_DOUBLE_EQ(sorted[0].second->Mean(EventField::kLatencyMs), 2);
  EXPECT_EQ(sorted[1].first, 120 * kNanosPerSecond);
}

TEST(TimeRollupTest, NegativeTimestampsFloorIntoTheRightBucket) {
  TimeRollup r(kNanosPerMinute);
  r.Add(At(-1, 1));
  EXPECT_EQ(r.Sorted()[0].first, -kNanosPerMinute);
  EXPECT_EQ(FloorDiv(-1, 60), -1);
  EXPECT_EQ(FloorDiv(-60, 60), -1);
  EXPECT_EQ(FloorDiv(59, 60), 0);
}

TEST(TimeRollupTest, OutOfOrderEventsLandInTheirOwnBuckets) {
  TimeRollup r(kNanosPerMinute);
  for (int i : {5, 1, 5, 3, 1}) r.Add(At(i * kNanosPerMinute, i));
  auto sorted = r.Sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].second->requests, 2u);
  EXPECT_EQ(sorted[2].second->requests, 2u);
}

TEST(TimeRollupTest, CoarsensInsteadOfGrowingPastTheBucketCap) {
  TimeRollup r(kNanosPerMinute, 100);
  for (int i = 0; i < 1000; ++i) r.Add(At(i * kNanosPerMinute, 1));
  EXPECT_LE(r.bucket_count(), 100u);
  EXPECT_EQ(r.width_ns() % kNanosPerMinute, 0);
  EXPECT_GE(r.width_ns(), 10 * kNanosPerMinute);
  uint64_t total = 0;
  for (const auto& [start, b] : r.Sorted()) {
    EXPECT_EQ(start % r.width_ns(), 0);
    total += b->requests;
  }
  EXPECT_EQ(total, 1000u);  // nothing lost in the merge
}

TEST(TimeRollupTest, MergeAddsCountsAndSketches) {
  TimeRollup a(kNanosPerMinute), b(kNanosPerMinute);
  a.Add(At(0, 10));
  b.Add(At(1, 30));
  b.Add(At(kNanosPerMinute, 50));
  a.Merge(b);
  auto sorted = a.Sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].second->requests, 2u);
  EXPECT_EQ(sorted[0].second->latency_ms.count(), 2u);
  EXPECT_NEAR(sorted[0].second->latency_ms.max(), 30, 1e-9);
}

TEST(TimeRollupTest, MovingMergeEqualsCopyingMergeAndEmptiesTheSource) {
  // Overlapping and disjoint minutes, and a source with a finer width than the target.
  auto fill = [](TimeRollup& r, int64_t from_min, int64_t to_min, double latency) {
    for (int64_t m = from_min; m < to_min; ++m) {
      r.Add(At(m * kNanosPerMinute + 5, latency + static_cast<double>(m)));
      r.Add(At(m * kNanosPerMinute + 7, 2 * latency));
    }
  };
  TimeRollup copy_into(2 * kNanosPerMinute), move_into(2 * kNanosPerMinute);
  fill(copy_into, 0, 10, 10);
  fill(move_into, 0, 10, 10);
  TimeRollup source(kNanosPerMinute);
  fill(source, 6, 30, 40);
  const TimeRollup source_copy = source;
  copy_into.Merge(source_copy);
  move_into.Merge(std::move(source));
  EXPECT_EQ(source.bucket_count(), 0u);  // NOLINT(bugprone-use-after-move): documented empty
  const auto want = copy_into.Sorted();
  const auto got = move_into.Sorted();
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), 15u);  // minutes 0..29 in 2-minute buckets
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_EQ(got[i].second->requests, want[i].second->requests);
    EXPECT_EQ(got[i].second->latency_ms.count(), want[i].second->latency_ms.count());
    EXPECT_EQ(got[i].second->Sum(EventField::kLatencyMs),
              want[i].second->Sum(EventField::kLatencyMs));
    EXPECT_EQ(got[i].second->latency_ms.Quantile(0.5), want[i].second->latency_ms.Quantile(0.5));
  }
  // Minutes 6..9 were in both: 4 events per 2-minute bucket from each side.
  EXPECT_EQ(got[3].second->requests, 8u);
  // The merged rollup still takes events.
  move_into.Add(At(kNanosPerMinute, 1));
  EXPECT_EQ(move_into.Sorted()[0].second->requests, 5u);
}

TEST(TimeRollupTest, LastBucketCacheRespectsBothEdgesOfTheBucket) {
  TimeRollup r(kNanosPerMinute);
  r.Add(At(kNanosPerMinute, 1));
  r.Add(At(2 * kNanosPerMinute - 1, 2));  // last nanosecond of the same bucket
  r.Add(At(2 * kNanosPerMinute, 3));      // first of the next
  r.Add(At(kNanosPerMinute - 1, 4));      // just before the first
  r.Add(At(kNanosPerMinute, 5));
  auto sorted = r.Sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].second->requests, 1u);
  EXPECT_EQ(sorted[1].second->requests, 3u);
  EXPECT_EQ(sorted[2].second->requests, 1u);
}

TEST(TimeRollupTest, ExtremeTimestampsDoNotAliasThroughTheCache) {
  TimeRollup r(kNanosPerMinute);
  const TimestampNs max = std::numeric_limits<TimestampNs>::max();
  // The lowest timestamp whose bucket start is representable.
  const TimestampNs min = std::numeric_limits<TimestampNs>::min() + kNanosPerMinute;
  // The last bucket's end is not representable: Add must not wrap around to `min`.
  for (TimestampNs ts : {max, min, max, min + 1, max - 1}) r.Add(At(ts, 1));
  auto sorted = r.Sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].second->requests, 2u);
  EXPECT_EQ(sorted[1].second->requests, 3u);
}

TEST(TimeRollupTest, BucketsAfterCoarseningStillTakeNewEvents) {
  TimeRollup r(kNanosPerMinute, 16);
  for (int i = 0; i < 40; ++i) r.Add(At(i * kNanosPerMinute, 1));
  const int64_t width = r.width_ns();
  r.Add(At(39 * kNanosPerMinute, 1));
  uint64_t total = 0;
  for (const auto& [start, b] : r.Sorted()) total += b->requests;
  EXPECT_EQ(total, 41u);
  EXPECT_EQ(r.width_ns(), width);
}

}  // namespace
}  // namespace inferscope
