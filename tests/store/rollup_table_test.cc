#include "store/rollup_table.h"

#include <gtest/gtest.h>

#include <cmath>

#include "store/byte_io.h"
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

TEST(RollupTableTest, TtftSketchesSurviveSerialisation) {
  RollupTable t;
  for (int i = 0; i < 300; ++i) {
    StoredEvent e = MakeStoredEvent(kT0 + i * kNanosPerSecond, "a", 100.0 + i);
    if (i % 2) e.Set(EventField::kTtftMs, 10.0 + i);
    t.Add(e);
  }
  std::string bytes;
  t.Serialize(&bytes);
  RollupTable back;
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  ASSERT_EQ(back.size(), 5u);
  for (auto a = t.cells().begin(), b = back.cells().begin(); a != t.cells().end(); ++a, ++b) {
    ASSERT_EQ(a->second.ttft_ms.count(), 30u);
    EXPECT_EQ(b->second.ttft_ms.count(), 30u);
    EXPECT_EQ(a->second.ttft_ms.Quantile(0.95), b->second.ttft_ms.Quantile(0.95));
  }
}

// A rollup table with one cell, byte by byte (docs/format/segment.md): a BucketStats in
// layout version 1, as segments written by the build before TTFT sketches hold them, or in
// version 2 with an empty TTFT sketch of the given accuracy.
std::string RollupWithOneCell(uint8_t version = 1, double ttft_accuracy = 0.005) {
  std::string out;
  ByteSink w(&out);
  w.U8(1);  // rollup table version
  w.I64(kNanosPerMinute);
  w.Varint(1);  // one key
  w.Str("a");
  w.Str("chat");
  w.Str("gpu");
  w.Varint(1);  // one cell
  w.SignedVarint(kT0 / kNanosPerMinute);
  w.Varint(0);  // key index
  // BucketStats: 2 requests, latencies 1 and 1 ms, one TTFT of 30 ms.
  w.U8(version);
  w.U64(2);
  w.U64(0);
  w.U64(0);
  w.U32(12);
  for (int f = 0; f < 12; ++f) {
    w.F64(f == 0 ? 2.0 : (f == 1 ? 30.0 : 0.0));
    w.U32(f == 0 ? 2 : (f == 1 ? 1 : 0));
  }
  // Its latency DDSketch (version 1): two values of exactly 1 ms, in bin 0.
  w.U8(1);
  w.F64(0.005);
  w.U32(4096);
  w.U64(2);
  w.F64(2.0);
  w.F64(1.0);
  w.F64(1.0);
  w.U64(0);
  for (uint32_t v : {0u, 1u, 2u, 0u, 0u, 0u, 0u}) w.U32(v);  // positive: bin 0 = 2; negative: none
  if (version == 2) {                                        // an empty TTFT DDSketch
    w.U8(1);
    w.F64(ttft_accuracy);
    w.U32(4096);
    w.U64(0);
    w.F64(0);
    w.F64(std::nan(""));
    w.F64(std::nan(""));
    w.U64(0);
    for (int i = 0; i < 6; ++i) w.U32(0);  // both stores empty, no carries
  }
  return out;
}

TEST(RollupTableTest, CellsWrittenInBucketStatsVersion1StillMerge) {
  static_assert(kEventFieldCount == 12, "the version-1 cell spells out 12 fields");
  RollupTable t;
  ASSERT_TRUE(t.MergeSerialized(RollupWithOneCell()).ok());
  ASSERT_EQ(t.size(), 1u);
  const BucketStats& b = t.cells().begin()->second;
  EXPECT_EQ(t.cells().begin()->first.start, kT0);
  EXPECT_EQ(b.requests, 2u);
  EXPECT_EQ(b.latency_ms.count(), 2u);
  EXPECT_DOUBLE_EQ(b.Mean(EventField::kTtftMs), 30.0);
  EXPECT_EQ(b.ttft_ms.count(), 0u);
  // New events of the same minute add to it, and the table serialises as version 2.
  StoredEvent e = MakeStoredEvent(kT0 + kNanosPerSecond, "a", 5);
  e.Set(EventField::kTtftMs, 40);
  t.Add(e);
  std::string bytes;
  t.Serialize(&bytes);
  RollupTable back;
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  EXPECT_EQ(back.cells().begin()->second.requests, 3u);
  EXPECT_EQ(back.cells().begin()->second.ttft_ms.count(), 1u);
}

TEST(RollupTableTest, ATtftSketchOfAnotherAccuracyIsRejected) {
  RollupTable t;
  ASSERT_TRUE(t.MergeSerialized(RollupWithOneCell(2, 0.005)).ok());
  RollupTable other;
  const Status st = other.MergeSerialized(RollupWithOneCell(2, 0.01));
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("accuracy"), std::string::npos) << st.message();
  EXPECT_TRUE(other.empty());
}

}  // namespace
}  // namespace inferscope
