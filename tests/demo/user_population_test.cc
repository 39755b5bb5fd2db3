#include "demo/user_population.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace inferscope {
namespace {

TEST(UserPopulationTest, FewUsersDominate) {
  UserPopulation users;
  double total = 0;
  for (int r = 0; r < UserPopulation::kUserCount; ++r) total += users.Share(r);
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_GT(users.Share(0), 0.15);
  EXPECT_GT(users.Share(0) + users.Share(1) + users.Share(2), 0.3);
  EXPECT_LT(users.Share(UserPopulation::kUserCount - 1), 0.001);
}

TEST(UserPopulationTest, SamplesFollowShares) {
  UserPopulation users;
  Rng rng(1);
  std::vector<int> counts(UserPopulation::kUserCount);
  const int n = 200000;
  for (int i = 0; i < n; ++i) ++counts[users.SampleRank(rng)];
  EXPECT_NEAR(counts[0] / double(n), users.Share(0), 0.005);
  EXPECT_NEAR(counts[5] / double(n), users.Share(5), 0.003);
}

TEST(UserPopulationTest, IdsAreAPermutationNotStartingAtOne) {
  std::set<int> ids;
  for (int r = 0; r < UserPopulation::kUserCount; ++r) {
    const int id = UserPopulation::IdForRank(r);
    EXPECT_GE(id, 1);
    EXPECT_LE(id, UserPopulation::kUserCount);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(UserPopulation::kUserCount));
  EXPECT_NE(UserPopulation::IdForRank(0), 1);
}

}  // namespace
}  // namespace inferscope
