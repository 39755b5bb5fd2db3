#include "detect/band_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(BandDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  BandDetector d(BandOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(BandDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  BandDetector d(BandOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(BandDetectorTest, StateBytesIsFixed) {
  BandDetector d(BandOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(BandDetectorTest, NeedsConsecutivePointsOutsideTheBand) {
  BandOptions o;
  o.window = 50;
  o.consecutive = 3;
  o.min_points = 50;
  BandDetector d(o);
  for (int i = 0; i < 50; ++i) (void)d.Update(0, 100 + (i % 2 ? 1 : -1));
  EXPECT_LT(d.Update(0, 110).score, 0.5);
  EXPECT_LT(d.Update(0, 110).score, 0.5);
  EXPECT_GE(d.Update(0, 110).score, 0.5);
  // One point back inside resets the run.
  EXPECT_LT(d.Update(0, 100).score, 0.5);
  EXPECT_LT(d.Update(0, 130).score, 0.5);
}

}  // namespace
}  // namespace inferscope
