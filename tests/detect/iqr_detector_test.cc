#include "detect/iqr_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(IqrDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  IqrDetector d(IqrOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(IqrDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  IqrDetector d(IqrOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(IqrDetectorTest, StateBytesIsFixed) {
  IqrDetector d(IqrOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(IqrDetectorTest, FiresExactlyOnTheFence) {
  IqrOptions o;
  o.window = 5;
  o.min_points = 5;
  o.k = 1.5;
  IqrDetector d(o);
  for (double x : {1.0, 2.0, 3.0, 4.0, 5.0}) (void)d.Update(0, x);
  // Q1 2, Q3 4, IQR 2: upper fence 4 + 3 = 7.
  const DetectorOutput out = d.Update(0, 7);
  EXPECT_NEAR(out.score, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(out.upper, 7);
  EXPECT_DOUBLE_EQ(out.lower, -1);
  EXPECT_EQ(d.Update(0, 3.9).score, 0);
}

}  // namespace
}  // namespace inferscope
