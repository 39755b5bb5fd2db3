#include "stats/bucket_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace inferscope {
namespace {

Event LatencyEvent(double latency) {
  Event e;
  e.model = "m";
  e.Set(EventField::kLatencyMs, latency);
  return e;
}

TEST(BucketStatsTest, MeansIgnoreRecordsWithoutTheField) {
  BucketStats s;
  Event e = LatencyEvent(10);
  e.Set(EventField::kGpuUtil, 40);
  s.Add(e);
  s.Add(LatencyEvent(20));
  EXPECT_EQ(s.requests, 2u);
  EXPECT_DOUBLE_EQ(s.Mean(EventField::kGpuUtil), 40);
  EXPECT_DOUBLE_EQ(s.Mean(EventField::kLatencyMs), 15);
  EXPECT_TRUE(std::isnan(s.Mean(EventField::kTtftMs)));
}

TEST(BucketStatsTest, CountsErrorsAndTimeoutsSeparately) {
  BucketStats s;
  Event e = LatencyEvent(1);
  s.Add(e);
  e.status = EventStatus::kError;
  s.Add(e);
  e.status = EventStatus::kTimeout;
  s.Add(e);
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.errors, 2u);
  EXPECT_EQ(s.timeouts, 1u);
  BucketStats t;
  t.Merge(s);
  t.Merge(s);
  EXPECT_EQ(t.errors, 4u);
  EXPECT_EQ(t.latency_ms.count(), 6u);
  EXPECT_DOUBLE_EQ(t.Sum(EventField::kLatencyMs), 6);
}

TEST(BucketStatsTest, AbsentFieldsAddNothingWhateverTheirSlotHolds) {
  BucketStats s;
  Event e = LatencyEvent(5);
  e.Set(EventField::kGpuUtil, std::numeric_limits<double>::quiet_NaN());
  e.Set(EventField::kQueueDepth, std::numeric_limits<double>::infinity());
  e.Clear(EventField::kGpuUtil);  // the slots keep NaN and inf, but the fields are absent
  e.Clear(EventField::kQueueDepth);
  s.Add(e);
  EXPECT_EQ(s.Present(EventField::kGpuUtil), 0u);
  EXPECT_EQ(s.Sum(EventField::kGpuUtil), 0.0);
  EXPECT_FALSE(std::signbit(s.Sum(EventField::kQueueDepth)));
  EXPECT_EQ(s.Sum(EventField::kQueueDepth), 0.0);
  EXPECT_EQ(s.Present(EventField::kLatencyMs), 1u);
  EXPECT_EQ(s.Sum(EventField::kLatencyMs), 5.0);
}

TEST(BucketStatsTest, TheTtftSketchHoldsOnlyEventsCarryingTtft) {
  BucketStats s;
  for (int i = 1; i <= 100; ++i) {
    Event e = LatencyEvent(1000 + i);
    if (i % 4 != 0) e.Set(EventField::kTtftMs, i);  // 75 streaming requests
    s.Add(e);
  }
  EXPECT_EQ(s.latency_ms.count(), 100u);
  EXPECT_EQ(s.ttft_ms.count(), 75u);
  EXPECT_EQ(s.ttft_ms.count(), s.Present(EventField::kTtftMs));
  EXPECT_DOUBLE_EQ(s.ttft_ms.sum(), s.Sum(EventField::kTtftMs));
  EXPECT_EQ(s.ttft_ms.min(), 1);
  EXPECT_EQ(s.ttft_ms.max(), 99);
  // Exact lower 0.95-quantile of the 75 values {i : i % 4 != 0}: rank floor(0.95 * 74) = 70,
  // the 71st smallest, i.e. 94 (every fourth integer is missing: 71 + 71/3 = 94).
  EXPECT_NEAR(s.ttft_ms.Quantile(0.95), 94, 94 * s.ttft_ms.relative_accuracy());

  BucketStats none;
  none.Add(LatencyEvent(5));
  EXPECT_EQ(none.ttft_ms.count(), 0u);
  EXPECT_TRUE(std::isnan(none.ttft_ms.Quantile(0.95)));
}

TEST(BucketStatsTest, MergeCombinesTtftSketchesAndMergeCountersLeavesThemOut) {
  BucketStats a, b;
  for (int i = 0; i < 50; ++i) {
    Event e = LatencyEvent(100);
    e.Set(EventField::kTtftMs, 10);
    a.Add(e);
    e.Set(EventField::kTtftMs, 1000);
    b.Add(e);
  }
  b.Add(LatencyEvent(100));  // no TTFT
  BucketStats all;
  all.Merge(a);
  all.Merge(b);
  EXPECT_EQ(all.ttft_ms.count(), 100u);
  EXPECT_EQ(all.ttft_ms.min(), 10);
  EXPECT_EQ(all.ttft_ms.max(), 1000);
  EXPECT_NEAR(all.ttft_ms.Quantile(0.95), 1000, 1000 * all.ttft_ms.relative_accuracy());
  EXPECT_NEAR(all.ttft_ms.Quantile(0.25), 10, 10 * all.ttft_ms.relative_accuracy());

  BucketStats counters;
  counters.MergeCounters(a);
  EXPECT_EQ(counters.Present(EventField::kTtftMs), 50u);
  EXPECT_EQ(counters.ttft_ms.count(), 0u);

  BucketStats latency_only;
  latency_only.MergeWithoutTtft(a);
  latency_only.MergeWithoutTtft(b);
  EXPECT_EQ(latency_only.requests, all.requests);
  EXPECT_EQ(latency_only.Present(EventField::kTtftMs), 100u);
  EXPECT_EQ(latency_only.latency_ms.count(), all.latency_ms.count());
  EXPECT_EQ(latency_only.latency_ms.Quantile(0.5), all.latency_ms.Quantile(0.5));
  EXPECT_EQ(latency_only.ttft_ms.count(), 0u);
}

}  // namespace
}  // namespace inferscope
