#include "insight/dimension_rollup.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

constexpr std::array<uint32_t, kDimensionCount> Ids(uint32_t user) {
  return {user, ValueDictionary::kNone, ValueDictionary::kNone, ValueDictionary::kNone};
}

TEST(ValueDictionaryTest, InternsValuesOfEveryLengthApartAndStaysBounded) {
  ValueDictionary d(1000);
  EXPECT_EQ(d.Intern(""), ValueDictionary::kNone);
  for (int i = 0; i < 1000; ++i) {
    std::string v = i % 2 ? "u" + std::to_string(i) : "a-long-user-name-" + std::to_string(i) + "x";
    EXPECT_EQ(d.Intern(v), static_cast<uint32_t>(i));
  }
  EXPECT_EQ(d.Intern("u1"), 1u);
  EXPECT_EQ(d.Name(2), "a-long-user-name-2x");
  EXPECT_EQ(d.Intern("one-too-many"), ValueDictionary::kOverflow);
  EXPECT_EQ(d.size(), 1000u);
}

TEST(DimensionBucketTest, HeavyHittersKeepTheirSlotsAndTotalsStayExact) {
  DimensionRollup r(kNanosPerMinute);
  // Value 0 is frequent; values 1..99 appear once each in the same bucket.
  for (uint32_t i = 1; i < 100; ++i) {
    r.Add(0, Ids(0), 1.0);
    r.Add(0, Ids(i), 0.5);
  }
  DimensionTotals t;
  r.Collect(0, kNanosPerMinute, &t);
  EXPECT_EQ(t.requests, 198u);
  EXPECT_DOUBLE_EQ(t.cost, 99 * 1.5);
  ASSERT_TRUE(t.values[0].contains(0));
  EXPECT_EQ(t.values[0].at(0).requests, 99u);
  EXPECT_LE(t.values[0].size(), static_cast<size_t>(DimensionBucket::kSlots));
  uint64_t kept = 0;
  for (const auto& [id, c] : t.values[0]) kept += c.requests;
  EXPECT_EQ(kept + t.other[0].requests, 198u);
}

TEST(DimensionRollupTest, MemoryIsBoundedByBucketsWhateverTheSpan) {
  // A bucket is a fixed-size array: ~600 bytes whatever the number of distinct values.
  static_assert(DimensionRollup::kBytesPerBucket <= 640);
  DimensionRollup r(kNanosPerMinute, 1000);
  for (int64_t i = 0; i < 100'000; ++i) {
    r.Add(i * kNanosPerHour, Ids(static_cast<uint32_t>(i % 5000)), 0.01);
  }
  EXPECT_LE(r.bucket_count(), 1000u);
  EXPECT_GT(r.width_ns(), kNanosPerMinute);
  DimensionTotals t;
  r.Collect(0, 100'000 * kNanosPerHour, &t);
  EXPECT_EQ(t.requests, 100'000u);
}

TEST(DimensionRollupTest, CollectTakesBucketsStartingInTheRange) {
  DimensionRollup r(kNanosPerMinute);
  for (int m = 0; m < 10; ++m) r.Add(m * kNanosPerMinute + 1, Ids(m % 2), 1.0);
  DimensionTotals t;
  r.Collect(2 * kNanosPerMinute, 5 * kNanosPerMinute, &t);
  EXPECT_EQ(t.requests, 3u);
  r.Coarsen(2 * kNanosPerMinute);
  EXPECT_EQ(r.width_ns(), 2 * kNanosPerMinute);
  DimensionTotals all;
  r.Collect(0, 10 * kNanosPerMinute, &all);
  EXPECT_EQ(all.requests, 10u);
  EXPECT_EQ(all.values[0].at(0).requests, 5u);
}

TEST(ShareShiftTest, SignificantShiftsOnlyWithSampledCounts) {
  ShareCounts base{{"a", {50, 5}}, {"b", {50, 5}}};
  ShareCounts win{{"a", {80, 8}}, {"b", {20, 2}}};
  std::vector<ShareShift> out;
  FindShareShifts("user", {&win, 100, 10}, {&base, 100, 10}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "user 'a' went from 50% to 80% of requests");
  // The same shares from ten times fewer (sampled) requests are not significant.
  ShareCounts base_small{{"a", {5, 5}}, {"b", {5, 5}}};
  ShareCounts win_small{{"a", {8, 8}}, {"b", {2, 2}}};
  out.clear();
  FindShareShifts("user", {&win_small, 10, 10}, {&base_small, 10, 10}, &out);
  EXPECT_TRUE(out.empty());
}

TEST(ShareShiftTest, CostShareShiftWithEqualRequestShares) {
  ShareCounts base{{"a", {100, 1}}, {"b", {100, 9}}};
  ShareCounts win{{"a", {100, 9}}, {"b", {100, 1}}};
  std::vector<ShareShift> out;
  FindShareShifts("user", {&win, 200, 10}, {&base, 200, 10}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].of_cost);
  EXPECT_EQ(out[0].text, "user 'a' went from 10% to 90% of cost");
}

}  // namespace
}  // namespace inferscope
