#include "store/segment_writer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/segment_reader.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

constexpr TimestampNs kHour =
    1'700'000'000 * kNanosPerSecond - 1'700'000'000 % 3600 * kNanosPerSecond;

std::vector<StoredEvent> SampleEvents(int n) {
  std::vector<StoredEvent> events;
  for (int i = 0; i < n; ++i) {
    StoredEvent e = MakeStoredEvent(kHour + i * 250 * kNanosPerMilli, i % 4 ? "llama" : "gpt",
                                    10.0 + i % 97, i % 10 ? EventStatus::kOk : EventStatus::kError,
                                    "req-" + std::to_string(i));
    e.id = MakeEventId(1 + i / 100, i % 100);
    e.trace_id = "trace-" + std::to_string(i / 3);
    if (i % 5 == 0) e.attributes = {{"region", "\"eu\""}};
    if (i % 7 == 0) e.Set(EventField::kCostUsd, 0.002 * i);
    events.push_back(std::move(e));
  }
  return events;
}

std::string Build(const std::vector<StoredEvent>& events, RollupTable* minutes_out = nullptr) {
  std::vector<const StoredEvent*> ptrs;
  RollupTable minutes;
  for (const auto& e : events) {
    ptrs.push_back(&e);
    minutes.Add(e);
  }
  RollupTable hours(kNanosPerHour);
  hours.MergeFrom(minutes);
  SegmentInfo info;
  info.partition_start_ns = kHour;
  info.wal_seq_hi = 77;
  if (minutes_out != nullptr) *minutes_out = minutes;
  return BuildSegment(info, ptrs, minutes, hours);
}

TEST(SegmentWriterTest, EventsRoundTripThroughTheColumns) {
  const auto events = SampleEvents(1000);
  const std::string bytes = Build(events);
  auto reader = SegmentReader::OpenBytes(bytes, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->info().rows, 1000u);
  EXPECT_EQ((*reader)->info().min_ts, events.front().timestamp_ns);
  EXPECT_EQ((*reader)->info().max_ts, events.back().timestamp_ns);
  EXPECT_EQ((*reader)->info().wal_seq_hi, 77u);
  std::vector<StoredEvent> back;
  ASSERT_TRUE((*reader)->ReadEvents(&back).ok());
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(back[i], events[i]) << i;
}

TEST(SegmentWriterTest, AFilteredReadReturnsExactlyTheMatchingRowsInFull) {
  const auto events = SampleEvents(1000);
  const std::string bytes = Build(events);
  auto reader = SegmentReader::OpenBytes(bytes, {});
  ASSERT_TRUE(reader.ok());
  auto keep = [](const StoredEvent& e) {
    return e.model == "gpt" && e.status == EventStatus::kError && e.trace_id != "trace-0";
  };
  std::vector<StoredEvent> back;
  ASSERT_TRUE((*reader)->ReadEvents(&back, keep).ok());
  std::vector<StoredEvent> expected;
  for (const auto& e : events) {
    if (keep(e)) expected.push_back(e);
  }
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(back.size(), expected.size());
  for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i], expected[i]) << i;
  back.clear();
  ASSERT_TRUE((*reader)->ReadEvents(&back, [](const StoredEvent&) { return false; }).ok());
  EXPECT_TRUE(back.empty());
}

TEST(SegmentWriterTest, ColumnsCompressWellBelowTheRowEncoding) {
  const auto events = SampleEvents(5000);
  const std::string bytes = Build(events);
  // ~100 bytes per event uncompressed in the WAL row encoding; columns + zstd do far better
  // on repetitive telemetry (the rollups are included in the file).
  EXPECT_LT(bytes.size(), 5000u * 40);
}

TEST(SegmentWriterTest, RollupColumnsHoldThePartitionsAggregates) {
  const auto events = SampleEvents(600);
  RollupTable expected;
  const std::string bytes = Build(events, &expected);
  auto reader = SegmentReader::OpenBytes(bytes, {});
  ASSERT_TRUE(reader.ok());
  RollupTable minutes;
  ASSERT_TRUE((*reader)->ReadMinuteRollups(&minutes).ok());
  ASSERT_EQ(minutes.size(), expected.size());
  RollupTable hours(kNanosPerHour);
  ASSERT_TRUE((*reader)->ReadHourRollups(&hours).ok());
  uint64_t total = 0;
  for (const auto& [cell, stats] : hours.cells()) {
    EXPECT_EQ(cell.start, kHour);
    total += stats.requests;
  }
  EXPECT_EQ(total, 600u);
}

TEST(SegmentWriterTest, AnEmptySegmentIsValid) {
  const std::string bytes = Build({});
  auto reader = SegmentReader::OpenBytes(bytes, {});
  ASSERT_TRUE(reader.ok());
  std::vector<StoredEvent> back;
  EXPECT_TRUE((*reader)->ReadEvents(&back).ok());
  EXPECT_TRUE(back.empty());
}

TEST(SegmentWriterTest, WritesAFileTheReaderOpens) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/seg.isg";
  ASSERT_TRUE(WriteSegmentFile(path, Build(SampleEvents(10))).ok());
  auto reader = SegmentReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  std::vector<StoredEvent> back;
  ASSERT_TRUE((*reader)->ReadEvents(&back).ok());
  EXPECT_EQ(back.size(), 10u);
}

}  // namespace
}  // namespace inferscope
