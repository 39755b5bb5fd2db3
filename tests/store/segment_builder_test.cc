#include "store/segment_builder.h"

#include <gtest/gtest.h>

#include "store/event_batch_codec.h"
#include "store/segment_reader.h"
#include "store/segment_writer.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

constexpr TimestampNs kHour =
    1'700'000'000 * kNanosPerSecond - 1'700'000'000 % 3600 * kNanosPerSecond;

// Events of one hour in (timestamp, id) order, ids as the WAL assigns them (batches of 100
// from sequence number 1); unique request ids (the dictionary grows many times), a few
// models, some attributes and optional fields.
std::vector<StoredEvent> Events(int n) {
  std::vector<StoredEvent> events;
  for (int i = 0; i < n; ++i) {
    StoredEvent e = MakeStoredEvent(kHour + i * 100 * kNanosPerMilli, i % 3 ? "llama" : "gpt",
                                    5.0 + i % 113, i % 9 ? EventStatus::kOk : EventStatus::kTimeout,
                                    "req-" + std::to_string(i));
    e.id = MakeEventId(1 + i / 100, i % 100);
    e.user = "user-" + std::to_string(i % 37);
    e.trace_id = std::string(32, static_cast<char>('a' + i % 26)) + std::to_string(i);
    if (i % 4 == 0) e.attributes = {{"region", "eu"}, {"gen_ai.operation.name", "chat"}};
    if (i % 6 == 0) e.Set(EventField::kCostUsd, 0.001 * i);
    events.push_back(std::move(e));
  }
  return events;
}

struct Rollups {
  RollupTable minutes{kNanosPerMinute};
  RollupTable hours{kNanosPerHour};
};

Rollups RollupsOf(const std::vector<StoredEvent>& events) {
  Rollups r;
  for (const auto& e : events) r.minutes.Add(e);
  r.hours.MergeFrom(r.minutes);
  return r;
}

SegmentInfo Info() {
  SegmentInfo info;
  info.partition_start_ns = kHour;
  info.wal_seq_hi = 99;
  return info;
}

TEST(SegmentBuilderTest, RowsDecodedInPlaceFromWalPayloadsGiveTheSameBytesAsStoredEvents) {
  const auto events = Events(5000);
  const Rollups r = RollupsOf(events);
  std::vector<const StoredEvent*> ptrs;
  for (const auto& e : events) ptrs.push_back(&e);
  const std::string expected = BuildSegment(Info(), ptrs, r.minutes, r.hours);

  // The store's path: WAL payloads of 100 events, each row decoded where it lies.
  std::vector<std::string> payloads;
  for (size_t b = 0; b < events.size(); b += 100) {
    payloads.emplace_back();
    EncodeEventBatch(std::span(events).subspan(b, 100), &payloads.back());
  }
  SegmentBuilder builder;
  for (size_t b = 0; b < payloads.size(); ++b) {
    std::vector<std::pair<uint64_t, size_t>> rows;  // (id, offset)
    ASSERT_TRUE(ForEachEventRow(payloads[b], 1 + b, [&](const EventRowView& row, size_t offset) {
                  rows.emplace_back(row.id, offset);
                }).ok());
    ASSERT_EQ(rows.size(), 100u);
    for (const auto& [id, offset] : rows) {
      EventRowView row;
      ASSERT_TRUE(DecodeEventRowAt(payloads[b], offset, id, &row).ok());
      builder.Add(row);
    }
  }
  EXPECT_EQ(builder.rows(), events.size());
  EXPECT_EQ(builder.Finish(Info(), r.minutes, r.hours, 3), expected);
}

TEST(SegmentBuilderTest, ManyDistinctStringsRoundTripThroughTheReader) {
  const auto events = Events(5000);
  const Rollups r = RollupsOf(events);
  SegmentBuilder builder;
  std::string scratch;
  for (const auto& e : events) builder.Add(EventRowView::Of(e, &scratch));
  const std::string bytes = builder.Finish(Info(), r.minutes, r.hours, 3);
  auto reader = SegmentReader::OpenBytes(bytes, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->info().rows, 5000u);
  EXPECT_EQ((*reader)->info().min_ts, events.front().timestamp_ns);
  EXPECT_EQ((*reader)->info().max_ts, events.back().timestamp_ns);
  std::vector<StoredEvent> back;
  ASSERT_TRUE((*reader)->ReadEvents(&back).ok());
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(back[i], events[i]) << "row " << i;
  }
}

TEST(SegmentBuilderTest, FinishLeavesTheBuilderEmptyForTheNextSegment) {
  const auto events = Events(300);
  const std::vector<StoredEvent> first(events.begin(), events.begin() + 200);
  const std::vector<StoredEvent> second(events.begin() + 200, events.end());
  const Rollups r1 = RollupsOf(first);
  const Rollups r2 = RollupsOf(second);
  SegmentBuilder builder;
  std::string scratch;
  for (const auto& e : first) builder.Add(EventRowView::Of(e, &scratch));
  (void)builder.Finish(Info(), r1.minutes, r1.hours, 3);
  EXPECT_EQ(builder.rows(), 0u);
  for (const auto& e : second) builder.Add(EventRowView::Of(e, &scratch));
  std::vector<const StoredEvent*> ptrs;
  for (const auto& e : second) ptrs.push_back(&e);
  EXPECT_EQ(builder.Finish(Info(), r2.minutes, r2.hours, 3),
            BuildSegment(Info(), ptrs, r2.minutes, r2.hours));
}

TEST(SegmentBuilderTest, ARowOffsetOutsideThePayloadOrATruncatedRowIsDataLoss) {
  const auto events = Events(3);
  std::string payload;
  EncodeEventBatch(std::span(events), &payload);
  std::vector<size_t> offsets;
  ASSERT_TRUE(ForEachEventRow(payload, 1, [&](const EventRowView&, size_t offset) {
                offsets.push_back(offset);
              }).ok());
  ASSERT_EQ(offsets.size(), 3u);
  EventRowView row;
  EXPECT_EQ(DecodeEventRowAt(payload, payload.size() + 1, 0, &row).code(), StatusCode::kDataLoss);
  const std::string truncated = payload.substr(0, offsets[2] + 5);
  EXPECT_EQ(DecodeEventRowAt(truncated, offsets[2], 0, &row).code(), StatusCode::kDataLoss);
  EXPECT_EQ(ForEachEventRow(truncated, 1, [](const EventRowView&, size_t) {}).code(),
            StatusCode::kDataLoss);
  ASSERT_TRUE(DecodeEventRowAt(payload, offsets[1], 42, &row).ok());
  EXPECT_EQ(row.id, 42u);
  EXPECT_EQ(row.strings[0], "req-1");
}

}  // namespace
}  // namespace inferscope
