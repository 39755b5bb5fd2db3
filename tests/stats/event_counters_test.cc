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

TEST(EventCountersTest, SubtractingASubsetLeavesTheCountersOfTheRest) {
  Event a, b, c;
  a.Set(EventField::kCostUsd, 0.1);
  a.Set(EventField::kLatencyMs, 10);
  b.status = EventStatus::kError;
  b.Set(EventField::kCostUsd, 0.2);
  c.status = EventStatus::kTimeout;
  c.Set(EventField::kLatencyMs, 30);
  EventCounters all, part, rest;
  for (const Event* e : {&a, &b, &c}) all.Add(*e);
  part.Add(a);
  part.Add(c);
  rest.Add(b);
  all.Subtract(part);
  EXPECT_EQ(all.requests, rest.requests);
  EXPECT_EQ(all.errors, 1u);
  EXPECT_EQ(all.timeouts, 0u);
  EXPECT_EQ(all.Present(EventField::kCostUsd), 1u);
  EXPECT_NEAR(all.Sum(EventField::kCostUsd), 0.2, 1e-15);
  // No event left with a latency: exactly 0, not 40 - (10 + 30) in floating point.
  EXPECT_EQ(all.Present(EventField::kLatencyMs), 0u);
  EXPECT_EQ(all.Sum(EventField::kLatencyMs), 0.0);
  // Not a subset: counts clamp at zero instead of wrapping around.
  EventCounters none;
  none.Subtract(part);
  EXPECT_EQ(none.requests, 0u);
  EXPECT_EQ(none.Present(EventField::kLatencyMs), 0u);
}

}  // namespace
}  // namespace inferscope
