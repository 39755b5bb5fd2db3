#include "detect/detector_common.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace inferscope {
namespace {

TEST(DetectorCommonTest, ScoreIsHalfExactlyAtTheThresholdAndMonotone) {
  EXPECT_EQ(ScoreFromRatio(0), 0);
  EXPECT_EQ(ScoreFromRatio(0.5), 0);
  EXPECT_DOUBLE_EQ(ScoreFromRatio(1), 0.5);
  EXPECT_DOUBLE_EQ(ScoreFromRatio(1.5), 0.75);
  EXPECT_DOUBLE_EQ(ScoreFromRatio(2), 0.875);
  EXPECT_EQ(ScoreFromRatio(std::numeric_limits<double>::infinity()), 1);
  EXPECT_EQ(ScoreFromRatio(std::nan("")), 0);
  double prev = 0;
  for (double r = 0; r < 20; r += 0.01) {
    const double s = ScoreFromRatio(r);
    ASSERT_GE(s, prev);
    ASSERT_LE(s, 1);
    ASSERT_EQ(s >= 0.5, r >= 1) << r;
    prev = s;
  }
}

TEST(DetectorCommonTest, GatesOnDirectionAndMinAbsDeviation) {
  EXPECT_EQ(ScoreDeviation(-5, 3, Direction::kAbove, 0, 0, 0, 0).score, 0);
  EXPECT_GT(ScoreDeviation(5, 3, Direction::kAbove, 0, 0, 0, 0).score, 0.5);
  EXPECT_EQ(ScoreDeviation(5, 3, Direction::kBoth, 6, 0, 0, 0).score, 0);
  const DetectorOutput below = ScoreDeviation(-5, -3, Direction::kBoth, 0, 10, 1, 19);
  EXPECT_EQ(below.direction, Direction::kBelow);
  EXPECT_FALSE(below.learning);
  EXPECT_EQ(below.expected, 10);
}

TEST(DetectorCommonTest, DirectionNamesRoundTrip) {
  for (Direction d : {Direction::kAbove, Direction::kBelow, Direction::kBoth}) {
    EXPECT_EQ(DirectionByName(DirectionName(d)), d);
  }
  EXPECT_FALSE(DirectionByName("sideways").has_value());
}

TEST(DetectorCommonTest, StateHeaderRejectsOtherDetectorsAndTruncation) {
  std::string s;
  StateWriter w(&s);
  WriteStateHeader(w, StateTag("abc1"), 1);
  StateReader ok(s.data(), s.size());
  EXPECT_TRUE(ReadStateHeader(ok, StateTag("abc1"), 1).ok());
  StateReader other(s.data(), s.size());
  EXPECT_EQ(ReadStateHeader(other, StateTag("xyz1"), 1).code(), StatusCode::kInvalidArgument);
  StateReader version(s.data(), s.size());
  EXPECT_EQ(ReadStateHeader(version, StateTag("abc1"), 2).code(), StatusCode::kInvalidArgument);
  StateReader cut(s.data(), s.size() - 1);
  EXPECT_EQ(ReadStateHeader(cut, StateTag("abc1"), 1).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace inferscope
