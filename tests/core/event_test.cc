#include "core/event.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(EventTest, StartsWithEveryFieldAbsent) {
  Event e;
  EXPECT_EQ(e.present_mask(), 0u);
  for (int f = 0; f < kEventFieldCount; ++f) EXPECT_FALSE(e.Has(static_cast<EventField>(f)));
  EXPECT_EQ(e.status, EventStatus::kOk);
}

TEST(EventTest, SetsGetsAndClearsFieldsIndependently) {
  Event e;
  e.Set(EventField::kLatencyMs, 12.5);
  e.Set(EventField::kQualityScore, 0);
  EXPECT_TRUE(e.Has(EventField::kLatencyMs));
  EXPECT_TRUE(e.Has(EventField::kQualityScore));  // zero is present, not absent
  EXPECT_FALSE(e.Has(EventField::kTtftMs));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 12.5);
  e.Clear(EventField::kLatencyMs);
  EXPECT_FALSE(e.Has(EventField::kLatencyMs));
  EXPECT_TRUE(e.Has(EventField::kQualityScore));
}

TEST(EventTest, ResetEmptiesEverythingButKeepsAttributeCapacity) {
  Event e;
  e.timestamp_ns = 5;
  e.model = "m";
  e.trace_id = "t";
  e.status = EventStatus::kTimeout;
  e.Set(EventField::kCostUsd, 1);
  e.attributes.emplace_back("k", "v");
  size_t cap = e.attributes.capacity();
  e.Reset();
  EXPECT_EQ(e.timestamp_ns, 0);
  EXPECT_TRUE(e.model.empty());
  EXPECT_TRUE(e.trace_id.empty());
  EXPECT_EQ(e.status, EventStatus::kOk);
  EXPECT_EQ(e.present_mask(), 0u);
  EXPECT_TRUE(e.attributes.empty());
  EXPECT_EQ(e.attributes.capacity(), cap);
}

TEST(EventTest, NamesFieldsAndStatusesAsInTheLogFormat) {
  EXPECT_EQ(EventFieldName(EventField::kLatencyMs), "latency_ms");
  EXPECT_EQ(EventFieldName(EventField::kBatchFillRatio), "batch_fill_ratio");
  EXPECT_EQ(EventFieldName(EventField::kQualityScore), "quality_score");
  EXPECT_EQ(EventStatusName(EventStatus::kOk), "ok");
  EXPECT_EQ(EventStatusName(EventStatus::kError), "error");
  EXPECT_EQ(EventStatusName(EventStatus::kTimeout), "timeout");
  for (int f = 0; f < kEventFieldCount; ++f) {
    EXPECT_NE(EventFieldName(static_cast<EventField>(f)), "unknown");
  }
}

}  // namespace
}  // namespace inferscope
