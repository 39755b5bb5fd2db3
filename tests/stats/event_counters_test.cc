#include "stats/event_counters.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferscope {
namespace {

TEST(EventCountersTest, CountsEventsAndSumsOnlyTheFieldsEachCarries) {
  EventCounters c;
  Event a;
  a.status = EventStatus::kTimeout;
  a.Set(EventField::kLatencyMs, 120.5);
  a.Set(EventField::kCostUsd, 0.25);
  Event b;
  b.Set(EventField::kLatencyMs, 79.5);
  b.Set(EventField::kQualityScore, -0.0);
  c.Add(a);
  c.Add(b);
  c.Add(Event{});  // carries nothing
  EXPECT_EQ(c.requests, 3u);
  EXPECT_EQ(c.errors, 1u);
  EXPECT_EQ(c.timeouts, 1u);
  EXPECT_EQ(c.Present(EventField::kLatencyMs), 2u);
  EXPECT_EQ(c.Sum(EventField::kLatencyMs), 200.0);
  EXPECT_EQ(c.Mean(EventField::kLatencyMs), 100.0);
  EXPECT_EQ(c.Present(EventField::kCostUsd), 1u);
  EXPECT_EQ(c.Present(EventField::kQualityScore), 1u);
  EXPECT_FALSE(std::signbit(c.Sum(EventField::kQualityScore)));  // +0.0 + -0.0
  EXPECT_EQ(c.Present(EventField::kTtftMs), 0u);
  EXPECT_TRUE(std::isnan(c.Mean(EventField::kTtftMs)));

  EventCounters d;
  d.Add(a);
  d.Merge(c);
  EXPECT_EQ(d.requests, 4u);
  EXPECT_EQ(d.timeouts, 2u);
  EXPECT_EQ(d.Present(EventField::kCostUsd), 2u);
  EXPECT_EQ(d.Sum(EventField::kCostUsd), 0.5);
}

}  // namespace
}  // namespace inferscope
