#include "detect/drift_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(DriftDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  DriftDetector d(DriftOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(DriftDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  DriftDetector d(DriftOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(DriftDetectorTest, StateBytesIsFixed) {
  DriftDetector d(DriftOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(DriftDetectorTest, RelativeChangeAcrossTheWindowIsTheStatistic) {
  DriftOptions o;
  o.window = 100;
  o.blocks = 10;
  o.threshold = 0.5;
  DriftDetector d(o);
  DetectorOutput out;
  // 100 -> 200 linearly over the 100-point window; centres of first/last block span 90 pts.
  for (int i = 0; i < 100; ++i) out = d.Update(0, 100 + i);
  EXPECT_FALSE(out.learning);
  EXPECT_NEAR(out.expected, 104.5, 1e-9);
  // change 90 / 104.5 = 0.861 -> ratio 1.72.
  EXPECT_NEAR(out.score, ScoreFromRatio(90 / 104.5 / 0.5), 1e-12);
  EXPECT_EQ(out.direction, Direction::kAbove);
}

}  // namespace
}  // namespace inferscope
