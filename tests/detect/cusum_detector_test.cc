#include "detect/cusum_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(CusumDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  CusumDetector d(CusumOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(CusumDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  CusumDetector d(CusumOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(CusumDetectorTest, StateBytesIsFixed) {
  CusumDetector d(CusumOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

// 95..105 twenty times each: median 100, MAD 3 -> sigma 4.4478; a few new points barely move
// them.
constexpr double kShifted = 100 + 3 * 1.4826;  // 100 + sigma: each point adds z - k = 0.5

// Feeds the baseline, then points at kShifted: the 8th reaches h = 4 (the 7th to 10th, allowing
// for the baseline's drift).
void ExpectSmallShiftAlarmsAfterAboutEightPoints(CusumDetector& d) {
  for (int i = 0; i < 220; ++i) (void)d.Update(0, 95 + i % 11);
  int fired_at = -1;
  for (int i = 0; i < 12 && fired_at < 0; ++i) {
    if (d.Update(0, kShifted).score >= 0.5) fired_at = i;
  }
  EXPECT_GE(fired_at, 6);
  EXPECT_LE(fired_at, 9);
}

CusumOptions SmallShiftOptions(bool hold) {
  CusumOptions o;
  o.window = 220;
  o.k = 0.5;
  o.h = 4;
  o.min_points = 220;
  o.hold = hold;
  return o;
}

TEST(CusumDetectorTest, AccumulatesASmallShiftAndResetsAfterAlarmWithoutHold) {
  CusumDetector d(SmallShiftOptions(false));
  ExpectSmallShiftAlarmsAfterAboutEightPoints(d);
  // Reset: the next point starts from 0 again.
  EXPECT_LT(d.Update(0, kShifted).score, 0.5);
}

TEST(CusumDetectorTest, HeldAlarmLastsWhileTheShiftDoesAndEndsWhenPointsReturn) {
  CusumDetector d(SmallShiftOptions(true));
  ExpectSmallShiftAlarmsAfterAboutEightPoints(d);
  // Held at h: every further shifted point still alarms (what a pending period needs).
  for (int i = 0; i < 10; ++i) EXPECT_GE(d.Update(0, kShifted).score, 0.5) << i;
  // A point back at the median takes k = 0.5 off the held sum: below h, no alarm.
  EXPECT_LT(d.Update(0, 100).score, 0.5);
}

TEST(CusumDetectorTest, MinAbsDeviationAppliesToTheEstimatedShift) {
  CusumOptions o;
  o.min_abs_deviation = 5;
  CusumDetector d(o);
  for (int i = 0; i < 200; ++i) (void)d.Update(0, 5 + 0.1 * (i % 3));
  double max_score = 0;
  for (int i = 0; i < 100; ++i) max_score = std::max(max_score, d.Update(0, 7).score);
  EXPECT_EQ(max_score, 0);
}

}  // namespace
}  // namespace inferscope
