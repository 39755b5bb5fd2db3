#include "insight/dimension_rollup.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

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

TEST(DimensionRollupTest, MergeRemapsValueIdsThroughTheMergedDictionaries) {
  // Two parts intern the same users in different orders, so their ids disagree; every
  // dimension has its own dictionary. Merged through MergeFrom's maps, the totals by value
  // name must equal those of one rollup fed both parts with one set of dictionaries.
  const std::vector<std::string> users = {"alice", "bob", "carol", "dave"};
  const std::vector<std::string> tiers = {"hot", "cold"};
  DimensionDictionaries whole_dicts, a_dicts, b_dicts;
  DimensionRollup whole(kNanosPerMinute), a(kNanosPerMinute), b(2 * kNanosPerMinute);
  auto add = [&](DimensionDictionaries& d, DimensionRollup& r, int i) {
    const std::string& user = users[static_cast<size_t>(i * 7 + i / 3) % users.size()];
    const std::string& tier = tiers[static_cast<size_t>(i) % tiers.size()];
    const std::array<uint32_t, kDimensionCount> ids = {d[0].Intern(user), d[1].Intern(""),
                                                       d[2].Intern(tier), d[3].Intern("svc")};
    r.Add(i * 20 * kNanosPerSecond, ids, 0.25 * (i % 5));
  };
  for (int i = 0; i < 60; ++i) add(whole_dicts, whole, i);
  for (int i = 59; i >= 0; --i) add(whole_dicts, whole, i + 60);  // the same events again...
  for (int i = 0; i < 60; ++i) add(a_dicts, a, i);
  for (int i = 59; i >= 0; --i) add(b_dicts, b, i + 60);  // ...interned in reverse order
  DimensionIdMaps maps;
  for (int d = 0; d < kDimensionCount; ++d) maps[d] = a_dicts[d].MergeFrom(b_dicts[d]);
  a.Merge(b, maps);
  EXPECT_EQ(a.width_ns(), 2 * kNanosPerMinute);  // the coarser width wins
  whole.Coarsen(2 * kNanosPerMinute);
  DimensionTotals want, got;
  whole.Collect(0, kNanosPerHour, &want);
  a.Collect(0, kNanosPerHour, &got);
  EXPECT_EQ(got.requests, want.requests);
  EXPECT_DOUBLE_EQ(got.cost, want.cost);
  for (int d = 0; d < kDimensionCount; ++d) {
    std::map<std::string, uint64_t> by_name_want, by_name_got;
    for (const auto& [id, c] : want.values[d])
      by_name_want[std::string(whole_dicts[d].Name(id))] += c.requests;
    for (const auto& [id, c] : got.values[d])
      by_name_got[std::string(a_dicts[d].Name(id))] += c.requests;
    EXPECT_EQ(by_name_got, by_name_want) << kDimensionNames[d];
    EXPECT_EQ(got.other[d].requests, want.other[d].requests);
  }
  EXPECT_EQ(got.values[0].size(), users.size());
  EXPECT_EQ(got.values[2].size(), tiers.size());
}

TEST(ValueDictionaryTest, MergeFromMapsKnownValuesToTheirIdsAndNewOnesToNewIds) {
  ValueDictionary a, b;
  a.Intern("x");
  a.Intern("y");
  b.Intern("y");
  b.Intern("z");
  const std::vector<uint32_t> map = a.MergeFrom(b);
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map[0], 1u);  // y
  EXPECT_EQ(map[1], 2u);  // z, new here
  EXPECT_EQ(a.Name(2), "z");
  EXPECT_EQ(ValueDictionary::Remap(map, ValueDictionary::kNone), ValueDictionary::kNone);
  EXPECT_EQ(ValueDictionary::Remap(map, ValueDictionary::kOverflow), ValueDictionary::kOverflow);
  ValueDictionary full(1);
  full.Intern("only");
  EXPECT_EQ(full.MergeFrom(b)[1], ValueDictionary::kOverflow);
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
