#include "stats/robust_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(RobustStatsTest, ExactQuantileInterpolatesLikeNumpyType7) {
  const std::vector<double> v = {15, 20, 35, 40, 50};  // deliberately sorted here
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0), 15);
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 1), 50);
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.5), 35);
  // numpy.quantile([15, 20, 35, 40, 50], [0.3, 0.4, 0.9]) -> 23.0, 29.0, 46.0
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.3), 23);
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.4), 29);
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.9), 46);
}

TEST(RobustStatsTest, ExactQuantileDoesNotNeedSortedInputOrChangeIt) {
  const std::vector<double> v = {9, 1, 8, 2, 7, 3};
  // numpy.quantile(v, 0.25) -> 2.25 ; 0.75 -> 7.75
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.25), 2.25);
  EXPECT_DOUBLE_EQ(ExactQuantile(v, 0.75), 7.75);
  EXPECT_EQ(v, (std::vector<double>{9, 1, 8, 2, 7, 3}));
}

TEST(RobustStatsTest, ExactQuantileOfEmptyOrBadQIsNaN) {
  EXPECT_TRUE(std::isnan(ExactQuantile({}, 0.5)));
  const std::vector<double> v = {1, 2};
  EXPECT_TRUE(std::isnan(ExactQuantile(v, -0.01)));
  EXPECT_TRUE(std::isnan(ExactQuantile(v, 1.01)));
  EXPECT_TRUE(std::isnan(ExactQuantile(v, kNaN)));
}

TEST(RobustStatsTest, NaNValuesAreSkipped) {
  const std::vector<double> v = {kNaN, 4, kNaN, 2};
  EXPECT_DOUBLE_EQ(Median(v), 3);
  const std::vector<double> only_nan = {kNaN, kNaN};
  EXPECT_TRUE(std::isnan(Median(only_nan)));
  EXPECT_TRUE(std::isnan(MedianAbsoluteDeviation(only_nan)));
}

TEST(RobustStatsTest, MedianOfOddAndEvenSizes) {
  const std::vector<double> one = {7};
  const std::vector<double> odd = {5, 1, 3};
  const std::vector<double> even = {4, 1, 3, 2};
  EXPECT_EQ(Median(one), 7);
  EXPECT_EQ(Median(odd), 3);
  EXPECT_DOUBLE_EQ(Median(even), 2.5);
  EXPECT_TRUE(std::isnan(Median({})));
}

TEST(RobustStatsTest, MedianAbsoluteDeviationOfOddAndEvenSizes) {
  // median 3; |dev| = {2, 1, 0, 1, 97} -> median 1
  const std::vector<double> odd = {1, 2, 3, 4, 100};
  EXPECT_DOUBLE_EQ(MedianAbsoluteDeviation(odd), 1);
  // median 2.5; |dev| = {1.5, 0.5, 0.5, 7.5} -> median (0.5 + 1.5) / 2 = 1
  const std::vector<double> even = {1, 2, 3, 10};
  EXPECT_DOUBLE_EQ(MedianAbsoluteDeviation(even), 1);
  EXPECT_TRUE(std::isnan(MedianAbsoluteDeviation({})));
}

TEST(RobustStatsTest, MedianAbsoluteDeviationIsZeroWhenMostValuesAreEqual) {
  const std::vector<double> v = {5, 5, 5, 5, 9};
  EXPECT_EQ(MedianAbsoluteDeviation(v), 0);
}

TEST(RobustStatsTest, RobustZScalesByMad) {
  EXPECT_DOUBLE_EQ(RobustZ(13, 10, 2), 3 / (kMadToSigma * 2));
  EXPECT_DOUBLE_EQ(RobustZ(7, 10, 2), -3 / (kMadToSigma * 2));
  EXPECT_EQ(RobustZ(10, 10, 2), 0);
}

TEST(RobustStatsTest, RobustZFallsBackToMeanAbsoluteDeviationWhenMadIsZero) {
  EXPECT_DOUBLE_EQ(RobustZ(13, 10, 0, 0.5), 3 / (1.2533 * 0.5));
  EXPECT_DOUBLE_EQ(RobustZ(9, 10, 0, 2), -1 / (1.2533 * 2));
}

TEST(RobustStatsTest, RobustZIsZeroOrInfiniteWhenBothDeviationsAreZero) {
  EXPECT_EQ(RobustZ(10, 10, 0, 0), 0);
  EXPECT_EQ(RobustZ(11, 10, 0, 0), kInf);
  EXPECT_EQ(RobustZ(9, 10, 0), -kInf);
  EXPECT_TRUE(std::isnan(RobustZ(kNaN, 10, 1)));
}

}  // namespace
}  // namespace inferscope
