#include "demo/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace inferscope {
namespace {

TEST(RngTest, SameSeedGivesSameSequence) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(RngTest, DifferentSeedsGiveDifferentSequences) {
  Rng a(1);
  Rng b(2);
  EXPECT_NE(a.Next(), b.Next());
}

TEST(RngTest, KnownFirstValuesPinTheAlgorithm) {
  // xoshiro256** seeded through splitmix64; pinned so output stays byte-identical across
  // builds and standard libraries.
  Rng rng(1);
  EXPECT_EQ(rng.Next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(rng.Next(), 0x853b559647364ceaULL);
}

TEST(RngTest, UniformStaysInRangeWithMeanOneHalf) {
  Rng rng(7);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(RngTest, UniformIntCoversRangeOnly) {
  Rng rng(3);
  std::vector<int> counts(5);
  for (int i = 0; i < 10000; ++i) ++counts[rng.UniformInt(5)];
  for (int c : counts) EXPECT_NEAR(c, 2000, 200);
}

TEST(RngTest, NormalHasZeroMeanAndUnitVariance) {
  Rng rng(11);
  double sum = 0;
  double sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.Normal();
    sum += x;
    sum_sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.02);
}

TEST(RngTest, LogNormalHasTheGivenMedian) {
  Rng rng(5);
  std::vector<double> xs(20001);
  for (double& x : xs) x = rng.LogNormal(200, 0.7);
  std::nth_element(xs.begin(), xs.begin() + 10000, xs.end());
  EXPECT_NEAR(xs[10000], 200, 8);
}

TEST(RngTest, ExponentialHasMeanOne) {
  Rng rng(9);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) sum += rng.Exponential();
  EXPECT_NEAR(sum / 100000, 1.0, 0.02);
}

}  // namespace
}  // namespace inferscope
