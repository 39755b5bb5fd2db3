#include "stats/robust_slope.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "byte_state_io.h"
#include "stats/robust_stats.h"

namespace inferscope {
namespace {

TEST(RobustSlopeTest, RecoversALinearTrendExactly) {
  RobustSlope s(8, 10);
  for (int i = 0; i < 200; ++i) s.Add(3 + 0.5 * i);
  ASSERT_TRUE(s.ready());
  EXPECT_NEAR(s.slope(), 0.5, 1e-12);
  // Newest complete block: points 190..199, centre 194.5.
  EXPECT_NEAR(s.fitted_newest(), 3 + 0.5 * 194.5, 1e-9);
  EXPECT_NEAR(s.fitted_oldest(), 3 + 0.5 * 124.5, 1e-9);
  EXPECT_EQ(s.span_points(), 70);
}

TEST(RobustSlopeTest, MatchesTheilSenRecomputedOnBlockMeans) {
  RobustSlope s(12, 5);
  std::mt19937_64 gen(3);
  std::normal_distribution<double> d(0, 1);
  std::vector<double> all;
  for (int i = 0; i < 500; ++i) {
    const double x = 0.02 * i + d(gen);
    s.Add(x);
    all.push_back(x);
  }
  // 500 points = 100 blocks; the detector holds the last 12.
  std::vector<double> means;
  for (int b = 88; b < 100; ++b) {
    double sum = 0;
    for (int k = 0; k < 5; ++k) sum += all[b * 5 + k];
    means.push_back(sum / 5);
  }
  std::vector<double> slopes;
  for (size_t i = 0; i < means.size(); ++i) {
    for (size_t j = i + 1; j < means.size(); ++j) slopes.push_back((means[j] - means[i]) / (j - i));
  }
  EXPECT_NEAR(s.slope(), Median(slopes) / 5, 1e-12);
}

TEST(RobustSlopeTest, AFewSpikyBlocksDoNotTiltIt) {
  RobustSlope s(16, 4);
  for (int i = 0; i < 64; ++i) s.Add(i >= 56 ? 1000 : 10);
  EXPECT_NEAR(s.slope(), 0, 1e-12);
}

TEST(RobustSlopeTest, SaveLoadRoundTripsAndTruncationIsDataLoss) {
  RobustSlope s(6, 3);
  for (int i = 0; i < 25; ++i) s.Add(i * i % 13);
  ByteWriter out;
  s.Save(out);
  RobustSlope back(6, 3);
  ByteReader in(out.bytes);
  ASSERT_TRUE(back.Load(in).ok());
  for (int i = 0; i < 30; ++i) {
    s.Add(i);
    back.Add(i);
    ASSERT_EQ(s.slope(), back.slope());
  }
  for (size_t cut = 0; cut < out.bytes.size(); ++cut) {
    RobustSlope t(6, 3);
    ByteReader r(out.bytes, cut);
    EXPECT_FALSE(t.Load(r).ok()) << cut;
  }
}

}  // namespace
}  // namespace inferscope
