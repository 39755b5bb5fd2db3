#include "store/packed_user_rollups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace inferscope {
namespace {

UserCounters Counters(uint64_t requests, double cost) {
  UserCounters c;
  c.requests = requests;
  c.errors = requests / 2;
  c.sum[static_cast<int>(EventField::kCostUsd)] = cost;
  c.present[static_cast<int>(EventField::kCostUsd)] = static_cast<uint32_t>(requests);
  return c;
}

TEST(PackedUserRollupsTest, FindsEveryCellOfItsBucketByPooledNamesAndDecodesItsCounters) {
  UserRollupTable table(kNanosPerHour);
  const TimestampNs hour = 5 * kNanosPerHour;
  table.Merge(hour, "m2", "alice", Counters(3, 0.25));
  table.Merge(hour, "m1", "bob", Counters(1, 1.5));
  table.Merge(hour, "m1", "a-user-name-longer-than-the-small-string-buffer", Counters(7, 0.1));
  table.Merge(hour, "m1", "", Counters(2, 0.0));
  table.Merge(hour - kNanosPerHour, "m1", "carol", Counters(9, 9.0));  // other buckets:
  table.Merge(hour + kNanosPerHour, "m1", "dave", Counters(9, 9.0));   // not packed
  NamePool pool;
  pool.Intern("bob");  // ids need not follow name order
  const PackedUserRollups packed(table, hour, &pool);
  EXPECT_EQ(packed.start(), hour);
  ASSERT_EQ(packed.size(), 4u);
  EXPECT_EQ(pool.Find("carol"), NamePool::kNotFound);
  EXPECT_EQ(pool.Find("dave"), NamePool::kNotFound);
  ASSERT_EQ(packed.models().size(), 2u);
  EXPECT_TRUE(std::is_sorted(packed.models().begin(), packed.models().end()));
  for (size_t i = 0; i < 2; ++i) {  // m1: 1 + 7 + 2 requests; m2: 3
    const bool m1 = pool.Name(packed.models()[i]) == "m1";
    EXPECT_EQ(packed.model_total(i).requests, m1 ? 10u : 3u);
    EXPECT_DOUBLE_EQ(packed.model_total(i).Sum(EventField::kCostUsd), m1 ? 1.6 : 0.25);
  }
  for (auto it = table.LowerBound(hour); it != table.cells().end() && it->first.start == hour;
       ++it) {
    const uint32_t model = pool.Find(it->first.model);
    const uint32_t user = pool.Find(it->first.user);
    ASSERT_NE(model, NamePool::kNotFound);
    ASSERT_NE(user, NamePool::kNotFound);
    const uint32_t cell = packed.FindCell(model, user);
    ASSERT_NE(cell, PackedUserRollups::kNotFound) << it->first.model << "/" << it->first.user;
    EXPECT_EQ(pool.Name(packed.model_of(cell)), it->first.model);
    EXPECT_EQ(pool.Name(packed.user_of(cell)), it->first.user);
    const UserCounters c = packed.Counters(cell);
    EXPECT_EQ(c.requests, it->second.requests);
    EXPECT_EQ(c.errors, it->second.errors);
    EXPECT_EQ(c.Sum(EventField::kCostUsd), it->second.Sum(EventField::kCostUsd));
    EXPECT_EQ(c.Present(EventField::kCostUsd), it->second.Present(EventField::kCostUsd));
  }
  // A model and a user that both exist, but not together.
  EXPECT_EQ(packed.FindCell(pool.Find("m1"), pool.Find("alice")), PackedUserRollups::kNotFound);
  // Releasing the bucket's references leaves only the one taken above.
  packed.ReleaseNames(&pool);
  EXPECT_EQ(pool.live(), 1u);
  EXPECT_NE(pool.Find("bob"), NamePool::kNotFound);
}

TEST(PackedUserRollupsTest, MergesBackIntoATableAsTheCellsItPacked) {
  UserRollupTable table(kNanosPerHour);
  for (int m = 2; m >= 0; --m) {
    for (int u = 0; u < 50; ++u) {
      table.Merge(0, "model-" + std::to_string(m), "user-" + std::to_string(u),
                  Counters(static_cast<uint64_t>(m * 50 + u + 1), u * 0.01));
    }
  }
  NamePool pool;
  const PackedUserRollups packed(table, 0, &pool);
  EXPECT_EQ(pool.live(), 53u);
  UserRollupTable back(kNanosPerHour);
  packed.MergeInto(&back, pool);
  ASSERT_EQ(back.size(), table.size());
  std::string a, b;
  table.Serialize(&a);
  back.Serialize(&b);
  EXPECT_EQ(a, b);
  // Smaller than the cells decoded: the point of packing.
  EXPECT_LT(packed.MemoryBytes(), table.size() * sizeof(UserCounters) / 2);
  EXPECT_GT(packed.MemoryBytes(), table.size() * 12);
  packed.ReleaseNames(&pool);
  EXPECT_EQ(pool.live(), 0u);
}

TEST(PackedUserRollupsTest, FindsACellFromAnyHintAndNothingForAnAbsentKey) {
  UserRollupTable table(kNanosPerHour);
  for (int m = 0; m < 3; ++m) {
    for (int u = 0; u < 40; u += 1 + m) {  // gaps: some (model, user) pairs absent
      table.Merge(0, "m" + std::to_string(m), "u" + std::to_string(u), Counters(1, 0.5));
    }
  }
  NamePool pool;
  const PackedUserRollups packed(table, 0, &pool);
  const auto n = static_cast<uint32_t>(packed.size());
  for (int m = 0; m < 3; ++m) {
    for (int u = 0; u < 40; ++u) {
      const uint32_t model = pool.Find("m" + std::to_string(m));
      const uint32_t user = pool.Find("u" + std::to_string(u));
      const uint32_t want = user == NamePool::kNotFound
                                ? PackedUserRollups::kNotFound
                                : packed.FindCell(model, user);  // no hint: binary search
      const bool present = u % (1 + m) == 0;
      ASSERT_EQ(want != PackedUserRollups::kNotFound, present) << m << " " << u;
      if (!present) continue;
      EXPECT_EQ(pool.Name(packed.model_of(want)), "m" + std::to_string(m));
      EXPECT_EQ(pool.Name(packed.user_of(want)), "u" + std::to_string(u));
      for (uint32_t hint = 0; hint < n + 2; ++hint) {
        EXPECT_EQ(packed.FindCell(model, user, hint), want) << m << " " << u << " hint " << hint;
      }
    }
  }
  // Keys between, before and after the cells, from every hint.
  const uint32_t m1 = pool.Find("m1");
  const uint32_t u1 = pool.Find("u1");  // u1 exists for m0 only
  for (uint32_t hint = 0; hint < n + 2; ++hint) {
    EXPECT_EQ(packed.FindCell(m1, u1, hint), PackedUserRollups::kNotFound) << hint;
    EXPECT_EQ(packed.FindCell(0, 0xFFFFFFF0u, hint), PackedUserRollups::kNotFound) << hint;
    EXPECT_EQ(packed.FindCell(0xFFFFFFF0u, 0, hint), PackedUserRollups::kNotFound) << hint;
  }
  packed.ReleaseNames(&pool);
}

TEST(PackedUserRollupsTest, AnEmptyBucketFindsNothing) {
  NamePool pool;
  const PackedUserRollups empty(UserRollupTable(kNanosPerHour), 0, &pool);
  EXPECT_TRUE(empty.empty());
  EXPECT_TRUE(empty.models().empty());
  EXPECT_EQ(empty.FindCell(0, 0), PackedUserRollups::kNotFound);
  EXPECT_TRUE(PackedUserRollups().empty());
}

}  // namespace
}  // namespace inferscope
