#include "detect/ewma_chart_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(EwmaChartDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  EwmaChartDetector d(EwmaChartOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(EwmaChartDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  EwmaChartDetector d(EwmaChartOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(EwmaChartDetectorTest, StateBytesIsFixed) {
  EwmaChartDetector d(EwmaChartOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(EwmaChartDetectorTest, FirstChartPointUsesTheTimeVaryingLimit) {
  EwmaChartOptions o;
  o.lambda = 0.5;
  o.sigma_limit = 3;
  o.min_points = 4;
  EwmaChartDetector d(o);
  for (double x : {9.0, 11.0, 9.0, 11.0}) (void)d.Update(0, x);
  // mean 10, population sd 1; t = 1: sigma_Z = sqrt(0.5 / 1.5 * (1 - 0.25)) = 0.5;
  // Z = 0.5 * x + 0.5 * 10 reaches 10 + 1.5 at x = 13.
  const DetectorOutput out = d.Update(0, 13);
  EXPECT_NEAR(out.score, 0.5, 1e-9);
  EXPECT_NEAR(out.upper, 11.5, 1e-9);
}

}  // namespace
}  // namespace inferscope
