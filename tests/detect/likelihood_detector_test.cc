#include "detect/likelihood_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/clock.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(LikelihoodDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  LikelihoodDetector d(LikelihoodOptions{});
  // 1-minute steps: a day is 1440 points, so the seasonal part is off.
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(LikelihoodDetectorTest, CheckpointIncludesTheSeasonalRing) {
  LikelihoodDetector d(LikelihoodOptions{});
  // 5-minute steps: a day is 288 points, the seasonal ring is in use.
  ExpectCheckpointContract(d, TestSeries(3000), 5 * kNanosPerMinute);
}

TEST(LikelihoodDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  LikelihoodDetector d(LikelihoodOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(LikelihoodDetectorTest, LearningPeriodIsSilent) {
  LikelihoodOptions o;
  o.min_points = 50;
  LikelihoodDetector d(o);
  for (int i = 0; i < 50; ++i) {
    const DetectorOutput out = d.Update(i * kNanosPerMinute, i == 30 ? 1e6 : 10.0 + (i % 3));
    EXPECT_TRUE(out.learning) << i;
    EXPECT_EQ(out.score, 0) << i;
  }
  EXPECT_FALSE(d.Update(50 * kNanosPerMinute, 10).learning);
}

TEST(LikelihoodDetectorTest, SpikeOutranksNoiseAndRepeatsAreDamped) {
  LikelihoodDetector d(LikelihoodOptions{});
  std::mt19937_64 gen(7);
  std::normal_distribution<double> noise(100, 2);
  double max_noise = 0;
  for (int i = 0; i < 2000; ++i) {
    const DetectorOutput out = d.Update(i * kNanosPerMinute, noise(gen));
    if (i >= 1000) max_noise = std::fmax(max_noise, out.score);
  }
  const DetectorOutput spike = d.Update(2000 * kNanosPerMinute, 160);
  EXPECT_GT(spike.score, 0.5);
  EXPECT_GT(spike.score, max_noise + 0.2);
  EXPECT_LE(spike.score, 1.0);
  EXPECT_EQ(spike.direction, Direction::kAbove);
  (void)d.Update(2001 * kNanosPerMinute, 100);
  // The same spike again soon after scores lower (only the first detection counts).
  const DetectorOutput again = d.Update(2002 * kNanosPerMinute, 160);
  EXPECT_LT(again.score, spike.score);
}

TEST(LikelihoodDetectorTest, FlatSeriesStaysQuiet) {
  LikelihoodDetector d(LikelihoodOptions{});
  for (int i = 0; i < 3000; ++i) {
    EXPECT_LT(d.Update(i * 5 * kNanosPerMinute, 42.0).score, 0.05) << i;
  }
}

TEST(LikelihoodDetectorTest, StateBytesIsFixed) {
  LikelihoodDetector d(LikelihoodOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(LikelihoodDetectorTest, ValidateRejectsBadOptions) {
  EXPECT_TRUE(LikelihoodOptions{}.Validate().ok());
  LikelihoodOptions o;
  o.short_window = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.damp = 2;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.value_half_life = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.holdoff_damp = -1;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
