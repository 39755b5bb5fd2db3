#include "store/user_rollup_table.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

const TimestampNs kHour0 = 1'699'963'200 * kNanosPerSecond;  // noon UTC

Event MakeEvent(TimestampNs ts, std::string_view model, std::string_view user, double cost,
                EventStatus status = EventStatus::kOk) {
  Event e;
  e.timestamp_ns = ts;
  e.model = model;
  e.user = user;
  e.status = status;
  e.Set(EventField::kCostUsd, cost);
  return e;
}

uint64_t Requests(const UserRollupTable& t, TimestampNs start, std::string_view model,
                  std::string_view user) {
  auto it = t.cells().find(UserRollupTable::CellView{start, model, user});
  return it == t.cells().end() ? 0 : it->second.requests;
}

TEST(UserRollupTableTest, AddsEventsPerHourModelAndUser) {
  UserRollupTable t(kNanosPerHour);
  t.Add(MakeEvent(kHour0 + 5, "a", "u1", 0.5));
  t.Add(MakeEvent(kHour0 + kNanosPerHour - 1, "a", "u1", 0.25, EventStatus::kTimeout));
  t.Add(MakeEvent(kHour0 + kNanosPerHour, "a", "u1", 1));
  t.Add(MakeEvent(kHour0 + 7, "b", "u1", 1));
  t.Add(MakeEvent(kHour0 + 9, "a", "", 1));
  ASSERT_EQ(t.size(), 4u);
  const UserCounters& c = t.cells().find(UserRollupTable::CellView{kHour0, "a", "u1"})->second;
  EXPECT_EQ(c.requests, 2u);
  EXPECT_EQ(c.errors, 1u);
  EXPECT_EQ(c.timeouts, 1u);
  EXPECT_EQ(c.sum[static_cast<int>(EventField::kCostUsd)], 0.75);
  EXPECT_EQ(c.present[static_cast<int>(EventField::kCostUsd)], 2u);
  EXPECT_EQ(c.present[static_cast<int>(EventField::kLatencyMs)], 0u);
  EXPECT_EQ(Requests(t, kHour0 + kNanosPerHour, "a", "u1"), 1u);
  EXPECT_EQ(Requests(t, kHour0, "a", ""), 1u);
  // Re-bucketed into days.
  UserRollupTable days(kNanosPerDay);
  days.MergeFrom(t);
  EXPECT_EQ(days.size(), 3u);
  EXPECT_EQ(Requests(days, days.BucketStart(kHour0), "a", "u1"), 3u);
}

TEST(UserRollupTableTest, CapKeepsTheBusiestUsersPerHourAndModelAndMergesTheRest) {
  UserRollupTable t(kNanosPerHour);
  auto add = [&](TimestampNs ts, std::string_view model, std::string_view user, int n) {
    for (int i = 0; i < n; ++i) t.Add(MakeEvent(ts, model, user, 1));
  };
  add(kHour0, "a", "big", 5);
  add(kHour0, "a", "mid", 3);
  add(kHour0, "a", "tie-b", 2);
  add(kHour0, "a", "tie-a", 2);  // ties go by name: tie-a stays, tie-b goes
  add(kHour0, "a", "small", 1);
  add(kHour0, "a", "(other)", 4);  // already merged users (from another cap) stay merged
  add(kHour0, "b", "x", 1);        // another model: its own budget
  add(kHour0, "b", "y", 1);
  add(kHour0 + kNanosPerHour, "a", "late", 1);
  t.Cap(3);
  EXPECT_EQ(Requests(t, kHour0, "a", "big"), 5u);
  EXPECT_EQ(Requests(t, kHour0, "a", "mid"), 3u);
  EXPECT_EQ(Requests(t, kHour0, "a", "tie-a"), 2u);
  EXPECT_EQ(Requests(t, kHour0, "a", "tie-b"), 0u);
  EXPECT_EQ(Requests(t, kHour0, "a", "small"), 0u);
  EXPECT_EQ(Requests(t, kHour0, "a", "(other)"), 4u + 2u + 1u);
  EXPECT_EQ(Requests(t, kHour0, "b", "x"), 1u);
  EXPECT_EQ(Requests(t, kHour0, "b", "y"), 1u);
  EXPECT_EQ(Requests(t, kHour0 + kNanosPerHour, "a", "late"), 1u);
  EXPECT_EQ(t.size(), 7u);
  uint64_t total = 0;
  for (const auto& [cell, c] : t.cells()) total += c.requests;
  EXPECT_EQ(total, 20u);  // nothing lost
}

TEST(UserRollupTableTest, SerializedTableMergesBackExactly) {
  UserRollupTable t(kNanosPerHour);
  for (int i = 0; i < 50; ++i) {
    const std::string user = "user-" + std::to_string(i % 7);  // outlives the event's view
    Event e = MakeEvent(kHour0 + (i % 5) * kNanosPerHour - 3 * kNanosPerHour, i % 2 ? "a" : "b",
                        user, 0.1 * i, i % 9 == 0 ? EventStatus::kError : EventStatus::kOk);
    if (i % 3 == 0) e.Set(EventField::kLatencyMs, 12.5 * i);
    t.Add(e);
  }
  std::string bytes;
  t.Serialize(&bytes);
  UserRollupTable back(kNanosPerHour);
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  ASSERT_EQ(back.size(), t.size());
  for (auto a = t.cells().begin(), b = back.cells().begin(); a != t.cells().end(); ++a, ++b) {
    EXPECT_EQ(a->first, b->first);
    EXPECT_EQ(a->second.requests, b->second.requests);
    EXPECT_EQ(a->second.errors, b->second.errors);
    for (int f = 0; f < kEventFieldCount; ++f) {
      EXPECT_EQ(a->second.sum[f], b->second.sum[f]);
      EXPECT_EQ(a->second.present[f], b->second.present[f]);
    }
  }
  // Merging again doubles every counter.
  ASSERT_TRUE(back.MergeSerialized(bytes).ok());
  EXPECT_EQ(back.cells().begin()->second.requests, 2 * t.cells().begin()->second.requests);
}

TEST(UserRollupTableTest, MalformedBytesAreDataLossAndLeaveTheTableUnchanged) {
  UserRollupTable t(kNanosPerHour);
  t.Add(MakeEvent(kHour0, "a", "u1", 1));
  t.Add(MakeEvent(kHour0, "a", "u2", 1));
  std::string bytes;
  t.Serialize(&bytes);
  UserRollupTable target(kNanosPerHour);
  target.Add(MakeEvent(kHour0, "z", "keep", 1));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Status st = target.MergeSerialized(std::string_view(bytes).substr(0, cut));
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << cut;
  }
  EXPECT_EQ(target.MergeSerialized(bytes + "x").code(), StatusCode::kDataLoss);
  UserRollupTable days(kNanosPerDay);
  EXPECT_EQ(days.MergeSerialized(bytes).code(), StatusCode::kDataLoss);  // width differs
  std::string bad_version = bytes;
  bad_version[0] = 9;
  EXPECT_EQ(target.MergeSerialized(bad_version).code(), StatusCode::kDataLoss);
  // Cells out of order: the second cell's user index points back at u1 (a duplicate).
  std::string duplicate = bytes;
  const size_t second_user = duplicate.rfind('\x02');
  ASSERT_NE(second_user, std::string::npos);
  duplicate[second_user] = '\x01';
  EXPECT_EQ(target.MergeSerialized(duplicate).code(), StatusCode::kDataLoss);
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(target.cells().begin()->first.user, "keep");
}

TEST(UserCountersTest, LoadRejectsImpossibleCounters) {
  UserCounters c;
  c.requests = 2;
  c.errors = 1;
  c.present[3] = 2;
  c.sum[3] = 7.5;
  std::string bytes;
  ByteSink sink(&bytes);
  c.Save(sink);
  UserCounters back;
  ByteSource ok(bytes);
  ASSERT_TRUE(back.Load(ok).ok());
  EXPECT_EQ(back.requests, 2u);
  EXPECT_EQ(back.present[3], 2u);
  EXPECT_EQ(back.sum[3], 7.5);
  std::string more_errors = bytes;
  more_errors[1] = 3;  // errors > requests
  ByteSource bad(more_errors);
  EXPECT_EQ(back.Load(bad).code(), StatusCode::kDataLoss);
  std::string more_present = bytes;
  more_present[4] = 3;  // field present in more records than there are
  ByteSource bad2(more_present);
  EXPECT_EQ(back.Load(bad2).code(), StatusCode::kDataLoss);
  EXPECT_EQ(back.requests, 2u);  // unchanged
}

}  // namespace
}  // namespace inferscope
