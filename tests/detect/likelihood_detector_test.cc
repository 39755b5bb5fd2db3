#include "detect/likelihood_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// The corpus-wide threshold `inferscope nab` picks for the standard profile (docs/nab.md):
// a score at or above it is a detection.
constexpr double kNabThreshold = 0.3763;

// Gaussian noise (mean 100, sd 2, 1-minute steps so the daily part is off) for `quiet` points,
// then `shape(k)` added for k = 0, 1, ... Returns the scores.
template <typename Shape>
std::vector<double> ScoresOf(const LikelihoodOptions& options, int quiet, int total, Shape shape) {
  LikelihoodDetector d(options);
  std::mt19937_64 gen(11);
  std::normal_distribution<double> noise(100, 2);
  std::vector<double> scores;
  for (int i = 0; i < total; ++i) {
    const double x = noise(gen) + (i >= quiet ? shape(i - quiet) : 0.0);
    scores.push_back(d.Update(i * kNanosPerMinute, x).score);
  }
  return scores;
}

int FirstAtOrAbove(const std::vector<double>& scores, int from, double threshold) {
  for (int i = from; i < static_cast<int>(scores.size()); ++i) {
    if (scores[i] >= threshold) return i;
  }
  return -1;
}

double MaxIn(const std::vector<double>& scores, int from, int to) {
  return *std::max_element(scores.begin() + from, scores.begin() + to);
}

TEST(LikelihoodDetectorTest, StepShiftFiresAtTheShiftRowWellAboveTheNoise) {
  // +40 (20 sd) from row 3000 on. (A 10-sd step scores about like the largest 4-sd noise
  // point of 2700: the value z is weighted 0.35.)
  const std::vector<double> scores =
      ScoresOf(LikelihoodOptions{}, 3000, 3200, [](int) { return 40.0; });
  // Past the first 10% (NAB's probation is 15%), the noise peaks are far below the shift.
  const double noise = MaxIn(scores, 300, 3000);
  EXPECT_GE(scores[3000], kNabThreshold);
  EXPECT_GT(scores[3000], noise + 0.1);
  EXPECT_EQ(FirstAtOrAbove(scores, 3000, kNabThreshold), 3000);
  EXPECT_LT(scores[2999], kNabThreshold);
}

TEST(LikelihoodDetectorTest, SlowRampIsCaughtByTheLevelComponent) {
  // 100 -> 70 over 300 points: each step (0.1) is lost in the noise of the difference (sd
  // 2.8) and the baseline variance absorbs the drift, so once the onset has passed (150
  // points) only the level-shift statistic (short EWMA against the long baseline) keeps
  // the ramp above the noise.
  auto ramp = [](int k) { return -0.1 * std::min(k, 300); };
  const std::vector<double> with_level = ScoresOf(LikelihoodOptions{}, 3000, 3400, ramp);
  LikelihoodOptions off;
  off.level_weight = 0;
  const std::vector<double> without = ScoresOf(off, 3000, 3400, ramp);
  const double noise = MaxIn(with_level, 300, 3000);
  EXPECT_EQ(noise, MaxIn(without, 300, 3000)) << "the level term is quiet on noise";
  EXPECT_GT(MaxIn(with_level, 3150, 3400), std::max(noise, kNabThreshold) + 0.08);
  EXPECT_LT(MaxIn(without, 3150, 3400), noise + 0.02);
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
  o = LikelihoodOptions{};
  o.level_half_life = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.level_weight = -1;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
