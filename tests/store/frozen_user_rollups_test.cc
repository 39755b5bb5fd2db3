#include "store/frozen_user_rollups.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(FrozenUserRollupsTest, HoldsTheTablesCellsInOrderWithTheirNames) {
  UserRollupTable table(kNanosPerHour);
  UserCounters c;
  c.requests = 3;
  table.Merge(2 * kNanosPerHour, "m2", "u1", c);
  c.requests = 1;
  table.Merge(kNanosPerHour, "m1", "u2", c);
  table.Merge(kNanosPerHour, "m1", "u1", c);
  table.Merge(2 * kNanosPerHour, "m1", "u2", c);
  const FrozenUserRollups frozen(table);
  ASSERT_EQ(frozen.cells().size(), table.size());
  auto it = table.cells().begin();
  for (const FrozenUserRollups::Cell& cell : frozen.cells()) {
    EXPECT_EQ(cell.start, it->first.start);
    EXPECT_EQ(frozen.names()[cell.model], it->first.model);
    EXPECT_EQ(frozen.names()[cell.user], it->first.user);
    EXPECT_EQ(cell.counters.requests, it->second.requests);
    EXPECT_EQ(frozen.pairs()[cell.pair], std::pair(cell.model, cell.user));
    ++it;
  }
  EXPECT_EQ(frozen.names().size(), 4u);                       // m1, u1, u2, m2: each once
  EXPECT_EQ(frozen.pairs().size(), 3u);                       // (m1, u1), (m1, u2), (m2, u1)
  EXPECT_EQ(frozen.cells()[1].pair, frozen.cells()[2].pair);  // (m1, u2) in both hours
  EXPECT_EQ(frozen.LowerBound(0), 0u);
  EXPECT_EQ(frozen.LowerBound(kNanosPerHour + 1), 2u);
  EXPECT_EQ(frozen.LowerBound(2 * kNanosPerHour), 2u);
  EXPECT_EQ(frozen.LowerBound(3 * kNanosPerHour), 4u);
  EXPECT_TRUE(FrozenUserRollups().cells().empty());
}

}  // namespace
}  // namespace inferscope
