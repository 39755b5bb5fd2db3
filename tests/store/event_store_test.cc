#include "store/event_store.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

TEST(EventStoreTest, FilterRequiresEverySetCondition) {
  StoredEvent e = MakeStoredEvent(100, "m", 50, EventStatus::kError);
  e.trace_id = "t1";
  EventFilter f;
  EXPECT_TRUE(f.Matches(e));
  f.start_ns = 100;
  f.end_ns = 101;
  EXPECT_TRUE(f.Matches(e));
  f.end_ns = 100;
  EXPECT_FALSE(f.Matches(e));  // end is exclusive
  f = EventFilter{};
  f.model = "m";
  f.status = EventStatus::kError;
  f.min_latency_ms = 50;
  f.trace_id = "t1";
  EXPECT_TRUE(f.Matches(e));
  f.min_latency_ms = 50.5;
  EXPECT_FALSE(f.Matches(e));
  f.min_latency_ms.reset();
  f.model = "other";
  EXPECT_FALSE(f.Matches(e));
}

TEST(EventStoreTest, MinLatencyNeverMatchesEventsWithoutALatency) {
  StoredEvent e;
  EventFilter f;
  f.min_latency_ms = 0;
  EXPECT_FALSE(f.Matches(e));
}

TEST(EventStoreTest, CursorsRoundTripAndRejectGarbage) {
  TimestampNs ts = 0;
  uint64_t id = 0;
  ASSERT_TRUE(ParseScanCursor(FormatScanCursor(-42, 7), &ts, &id).ok());
  EXPECT_EQ(ts, -42);
  EXPECT_EQ(id, 7u);
  for (const char* bad : {"", "1", "1.", ".2", "a.b", "1.2x", "1.-2"}) {
    EXPECT_EQ(ParseScanCursor(bad, &ts, &id).code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace inferscope
