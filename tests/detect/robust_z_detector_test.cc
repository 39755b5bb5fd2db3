#include "detect/robust_z_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(RobustZDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  RobustZDetector d(RobustZOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(RobustZDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  RobustZDetector d(RobustZOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(RobustZDetectorTest, StateBytesIsFixed) {
  RobustZDetector d(RobustZOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(RobustZDetectorTest, MatchesRobustZOfTheWindow) {
  RobustZOptions o;
  o.window = 5;
  o.min_points = 5;
  o.threshold = 3.5;
  RobustZDetector d(o);
  for (double x : {10.0, 12.0, 11.0, 13.0, 9.0}) (void)d.Update(0, x);
  // median 11, MAD 1 -> sigma 1.4826; x = 11 + 3.5 * 1.4826 is exactly on the threshold.
  const DetectorOutput out = d.Update(0, 11 + 3.5 * 1.4826);
  EXPECT_NEAR(out.score, 0.5, 1e-9);
  EXPECT_DOUBLE_EQ(out.expected, 11);
}

TEST(RobustZDetectorTest, MinAbsDeviationSuppressesSmallMovesOnAFlatSeries) {
  RobustZOptions o;
  o.min_abs_deviation = 3;
  RobustZDetector d(o);
  for (int i = 0; i < 50; ++i) (void)d.Update(0, 5);
  EXPECT_EQ(d.Update(0, 7).score, 0);  // MAD 0: infinite z, but only 2 away
  EXPECT_EQ(d.Update(0, 9).score, 1);
}

TEST(RobustZDetectorTest, DirectionAboveIgnoresDrops) {
  RobustZOptions o;
  o.direction = Direction::kAbove;
  RobustZDetector d(o);
  for (int i = 0; i < 50; ++i) (void)d.Update(0, 100 + i % 5);
  EXPECT_EQ(d.Update(0, 0).score, 0);
  EXPECT_GT(d.Update(0, 200).score, 0.5);
}

}  // namespace
}  // namespace inferscope
