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

}  // namespace
}  // namespace inferscope
