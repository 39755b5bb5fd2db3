#include "detect/seasonal_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "detect/detector_common.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(SeasonalDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  SeasonalDetector d(SeasonalOptions{});
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(SeasonalDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  SeasonalDetector d(SeasonalOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(SeasonalDetectorTest, StateBytesIsFixed) {
  SeasonalDetector d(SeasonalOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(SeasonalDetectorTest, PicksTheDailyPeriodAndFollowsTheCurve) {
  SeasonalOptions o;
  o.periods = {kNanosPerDay, 0, 0, 0};
  o.history_bins = 72;
  SeasonalDetector d(o);
  const int64_t step = 5 * kNanosPerMinute;
  DetectorOutput out;
  int64_t ts = 0;
  for (; ts < 4 * kNanosPerDay; ts += step) {
    out = d.Update(ts, 500 + 200 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay));
  }
  EXPECT_EQ(d.period_bins(), 24u);
  const double truth = 500 + 200 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay);
  EXPECT_NEAR(d.Update(ts, truth).expected, truth, 5);
}

TEST(SeasonalDetectorTest, ValidateRejectsPeriodsThatAreNotWholeBins) {
  SeasonalOptions o;
  o.periods = {90 * kNanosPerMinute, 0, 0, 0};
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_TRUE(SeasonalOptions{}.Validate().ok());
}

}  // namespace
}  // namespace inferscope
