#include "store/rollup_table.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

constexpr TimestampNs kT0 =
    1'700'000'000 * kNanosPerSecond - 1'700'000'000 % 3600 * kNanosPerSecond;

TEST(RollupTableTest, BucketsEventsPerMinuteAndKey) {
  RollupTable t;
  t.Add(MakeStoredEvent(kT0 + 1, "a", 10));
  t.Add(MakeStoredEvent(kT0 + 59 * kNanosPerSecond, "a", 20, EventStatus::kError));
  t.Add(MakeStoredEvent(kT0 + kNanosPerMinute, "a", 30));
  t.Add(MakeStoredEvent(kT0 + 2, "b", 40));
  ASSERT_EQ(t.size(), 3u);
  auto it = t.cells().begin();
  EXPECT_EQ(it->first.start, kT0);
  EXPECT_EQ(it->first.key.model, "a");
  EXPECT_EQ(it->second.requests, 2u);
  EXPECT_EQ(it->second.errors, 1u);
  EXPECT_DOUBLE_EQ(it->second.Sum(EventField::kLatencyMs), 30.0);
  ++it;
  EXPECT_EQ(it->first.key.model, "b");
  ++it;
  EXPECT_EQ(it->first.start, kT0 + kNanosPerMinute);
}

TEST(RollupTableTest, NegativeTimesFloorToTheMinuteBelow) {
  RollupTable t;
  t.Add(MakeStoredEvent(-1, "a", 1));
  EXPECT_EQ(t.cells().begin()->first.start, -kNanosPerMinute);
}

TEST(RollupTableTest, SerializedTablesMergeBackToTheSameCells) {
  RollupTable t;
  for (int i = 0; i < 500; ++i) {
    t.Add(MakeStoredEvent(kT0 + i * 7 * kNanosPerSecond, i % 3 ? "a" : "b", 1.0 + i));
  }
  std::string bytes;
  t.Serialize(&bytes);
  RollupTable back;
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  ASSERT_EQ(back.size(), t.size());
  for (auto a = t.cells().begin(), b = back.cells().begin(); a != t.cells().end(); ++a, ++b) {
    EXPECT_EQ(a->first, b->first);
    EXPECT_EQ(a->second.requests, b->second.requests);
    EXPECT_EQ(a->second.latency_ms.Quantile(0.9), b->second.latency_ms.Quantile(0.9));
  }
  // Merging the same bytes again doubles every counter.
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  EXPECT_EQ(back.cells().begin()->second.requests, 2 * t.cells().begin()->second.requests);
}

TEST(RollupTableTest, SerializesOnlyTheRequestedRange) {
  RollupTable t;
  t.Add(MakeStoredEvent(kT0, "a", 1));
  t.Add(MakeStoredEvent(kT0 + kNanosPerHour, "a", 1));
  std::string bytes;
  t.Serialize(&bytes, kT0, kT0 + kNanosPerHour);
  RollupTable back;
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back.cells().begin()->first.start, kT0);
}

TEST(RollupTableTest, MalformedBytesAreRejectedAndLeaveTheTableUnchanged) {
  RollupTable t;
  t.Add(MakeStoredEvent(kT0, "a", 1));
  t.Add(MakeStoredEvent(kT0 + kNanosPerMinute, "b", 2));
  std::string bytes;
  t.Serialize(&bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    RollupTable back;
    back.Add(MakeStoredEvent(kT0, "z", 1));
    EXPECT_FALSE(back.MergeSerialized(std::string_view(bytes).substr(0, n)).ok()) << n;
    EXPECT_EQ(back.size(), 1u);
  }
  RollupTable hours(kNanosPerHour);
  EXPECT_EQ(hours.MergeSerialized(bytes).code(), StatusCode::kDataLoss);  // width differs
}

TEST(RollupTableTest, HourTableMergesMinuteCells) {
  RollupTable minutes;
  minutes.Add(MakeStoredEvent(kT0, "a", 1));
  minutes.Add(MakeStoredEvent(kT0 + 30 * kNanosPerMinute, "a", 3));
  RollupTable hours(kNanosPerHour);
  hours.MergeFrom(minutes);
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours.cells().begin()->second.requests, 2u);
  EXPECT_DOUBLE_EQ(hours.cells().begin()->second.Mean(EventField::kLatencyMs), 2.0);
}

}  // namespace
}  // namespace inferscope
