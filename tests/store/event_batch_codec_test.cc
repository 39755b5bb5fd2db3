#include "store/event_batch_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

TEST(EventBatchCodecTest, RoundTripsEveryFieldAndAssignsIdsFromTheSequence) {
  StoredEvent a = MakeStoredEvent(1'700'000'000'123'456'789, "llama", 12.5);
  a.request_id = "r1";
  a.user = "u";
  a.service = "svc";
  a.trace_id = "t";
  a.span_id = "s";
  a.parent_span_id = "p";
  a.attributes = {{"region", "\"eu\""}, {"n", "3"}};
  a.Set(EventField::kCostUsd, 0.001);
  a.Set(EventField::kQualityScore, -0.0);
  StoredEvent b = MakeStoredEvent(-5, "", std::nan(""), EventStatus::kTimeout);
  std::vector<StoredEvent> in = {a, b};
  std::string payload;
  EncodeEventBatch(in, &payload);
  std::vector<StoredEvent> out;
  ASSERT_TRUE(DecodeEventBatch(payload, 42, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  in[0].id = MakeEventId(42, 0);
  in[1].id = MakeEventId(42, 1);
  EXPECT_EQ(out[0], in[0]);
  EXPECT_EQ(out[1], in[1]);
  EXPECT_TRUE(std::isnan(out[1].Get(EventField::kLatencyMs)));
  EXPECT_EQ(out[0].id, (uint64_t{42} << 20));
}

TEST(EventBatchCodecTest, RowOffsetsFromEncodingAreTheOnesRowDecodingReports) {
  std::vector<StoredEvent> in;
  for (int i = 0; i < 5; ++i) {
    in.push_back(MakeStoredEvent(1000 + i, i % 2 ? "llama" : "gpt", 10.0 * i));
    in.back().request_id = std::string(static_cast<size_t>(i) * 40, 'x');  // varied row sizes
  }
  in[3].attributes = {{"k", "v"}};
  std::string payload = "prefix";  // offsets count from the start of `out`, whatever it held
  std::vector<uint32_t> offsets;
  EncodeEventBatch(in, &payload, &offsets);
  payload.erase(0, 6);
  std::vector<uint32_t> decoded;
  ASSERT_TRUE(ForEachEventRow(payload, 9, [&](const EventRowView& row, size_t offset) {
                decoded.push_back(static_cast<uint32_t>(offset));
                EXPECT_EQ(row.id, MakeEventId(9, decoded.size() - 1));
              }).ok());
  ASSERT_EQ(offsets.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(offsets[i] - 6, decoded[i]) << i;
  EventRowView row;
  ASSERT_TRUE(DecodeEventRowAt(payload, offsets[3] - 6, 7, &row).ok());
  EXPECT_EQ(row.timestamp_ns, 1003);
  EXPECT_EQ(row.attribute_count, 1u);
  EXPECT_EQ(row.strings[1], "llama");
}

TEST(EventBatchCodecTest, EventViewsAndOwnedEventsEncodeIdentically) {
  StoredEvent a = MakeStoredEvent(1000, "m", 3);
  a.attributes = {{"k", "v"}};
  std::string from_stored, from_view;
  EncodeEventBatch(std::span<const StoredEvent>(&a, 1), &from_stored);
  Event view = a.View();
  EncodeEventBatch(std::span<const Event>(&view, 1), &from_view);
  EXPECT_EQ(from_stored, from_view);
}

TEST(EventBatchCodecTest, EveryTruncationIsRejectedAndKeepsTheEventsBeforeIt) {
  std::vector<StoredEvent> in = {MakeStoredEvent(1, "a", 1), MakeStoredEvent(2, "b", 2)};
  std::string payload;
  EncodeEventBatch(in, &payload);
  for (size_t n = 0; n < payload.size(); ++n) {
    std::vector<StoredEvent> out;
    Status st = DecodeEventBatch(std::string_view(payload).substr(0, n), 1, &out);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << n;
    EXPECT_LE(out.size(), 1u) << n;
  }
}

TEST(EventBatchCodecTest, RejectsBadStatusAndTrailingBytes) {
  std::vector<StoredEvent> in = {MakeStoredEvent(1, "a", 1)};
  std::string payload;
  EncodeEventBatch(in, &payload);
  std::vector<StoredEvent> out;
  EXPECT_FALSE(DecodeEventBatch(payload + "x", 1, &out).ok());
  std::string bad = payload;
  bad[3] = 9;  // version, count, ts (1 byte for ts=1), status
  out.clear();
  Status st = DecodeEventBatch(bad, 1, &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("status"), std::string::npos);
}

}  // namespace
}  // namespace inferscope
