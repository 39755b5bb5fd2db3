#include "detect/zscore_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(ZScoreDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  ZScoreDetector d(ZScoreOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(ZScoreDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  ZScoreDetector d(ZScoreOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(ZScoreDetectorTest, StateBytesIsFixed) {
  ZScoreDetector d(ZScoreOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(ZScoreDetectorTest, ScoresHalfExactlyAtTheThreshold) {
  ZScoreOptions o;
  o.window = 4;
  o.min_points = 4;
  o.threshold = 2;
  ZScoreDetector d(o);
  for (double x : {1.0, 2.0, 3.0, 4.0}) EXPECT_TRUE(d.Update(0, x).learning);
  // mean 2.5, sample sd sqrt(5/3); z = 2 exactly at 2.5 + 2 * sd.
  const double sd = std::sqrt(5.0 / 3.0);
  const DetectorOutput out = d.Update(0, 2.5 + 2 * sd);
  EXPECT_FALSE(out.learning);
  EXPECT_NEAR(out.score, 0.5, 1e-9);
  EXPECT_EQ(out.direction, Direction::kAbove);
  EXPECT_DOUBLE_EQ(out.expected, 2.5);
  EXPECT_NEAR(out.upper, 2.5 + 2 * sd, 1e-12);
}

TEST(ZScoreDetectorTest, EwmaModeLearnsAndFires) {
  ZScoreOptions o;
  o.half_life = 20;
  ZScoreDetector d(o);
  for (int i = 0; i < 100; ++i) (void)d.Update(0, 10 + (i % 2));
  EXPECT_GE(d.Update(0, 20).score, 0.5);
}

TEST(ZScoreDetectorTest, ValidateRejectsBadOptions) {
  ZScoreOptions o;
  o.threshold = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = ZScoreOptions{};
  o.window = 1;
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_TRUE(ZScoreOptions{}.Validate().ok());
}

}  // namespace
}  // namespace inferscope
