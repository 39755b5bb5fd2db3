#include "stats/running_moments.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace inferscope {
namespace {

struct TwoPass {
  double mean = 0;
  double variance = 0;
};

// Reference: mean first, then the sum of squared deviations from it (in long double).
TwoPass ComputeTwoPass(const std::vector<double>& v) {
  long double sum = 0;
  for (double x : v) sum += x;
  const long double mean = sum / static_cast<long double>(v.size());
  long double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {static_cast<double>(mean), static_cast<double>(ss / (v.size() - 1))};
}

TEST(RunningMomentsTest, EmptyHasNaNStatistics) {
  RunningMoments m;
  EXPECT_EQ(m.count(), 0u);
  EXPECT_TRUE(std::isnan(m.mean()));
  EXPECT_TRUE(std::isnan(m.variance()));
  EXPECT_TRUE(std::isnan(m.stddev()));
  EXPECT_TRUE(std::isnan(m.min()));
  EXPECT_TRUE(std::isnan(m.max()));
  EXPECT_EQ(m.sum(), 0);
}

TEST(RunningMomentsTest, SingleValueHasMeanButNoVariance) {
  RunningMoments m;
  m.Add(-4.5);
  EXPECT_EQ(m.count(), 1u);
  EXPECT_EQ(m.mean(), -4.5);
  EXPECT_TRUE(std::isnan(m.variance()));
  EXPECT_EQ(m.min(), -4.5);
  EXPECT_EQ(m.max(), -4.5);
  EXPECT_EQ(m.sum(), -4.5);
}

TEST(RunningMomentsTest, MatchesTwoPassComputation) {
  std::mt19937_64 gen(1);
  std::lognormal_distribution<double> dist(2, 1.5);
  std::vector<double> v;
  RunningMoments m;
  for (int i = 0; i < 10'000; ++i) {
    v.push_back(dist(gen));
    m.Add(v.back());
  }
  const TwoPass ref = ComputeTwoPass(v);
  EXPECT_NEAR(m.mean(), ref.mean, 1e-12 * std::fabs(ref.mean));
  EXPECT_NEAR(m.variance(), ref.variance, 1e-10 * ref.variance);
  EXPECT_NEAR(m.stddev(), std::sqrt(ref.variance), 1e-10 * std::sqrt(ref.variance));
  EXPECT_NEAR(m.sum(), ref.mean * 10'000, 1e-9 * ref.mean * 10'000);
}

TEST(RunningMomentsTest, SurvivesCatastrophicCancellation) {
  // Values 1e9 + U(0, 1): sum(x^2) - n * mean^2 would lose every digit of the variance (~1/12).
  std::mt19937_64 gen(2);
  std::uniform_real_distribution<double> noise(0, 1);
  std::vector<double> v;
  RunningMoments m;
  for (int i = 0; i < 100'000; ++i) {
    v.push_back(1e9 + noise(gen));
    m.Add(v.back());
  }
  const TwoPass ref = ComputeTwoPass(v);
  EXPECT_NEAR(ref.variance, 1.0 / 12, 0.005);  // sanity of the reference
  EXPECT_NEAR(m.variance(), ref.variance, 1e-6 * ref.variance);
  EXPECT_NEAR(m.mean(), ref.mean, 1e-6);
}

TEST(RunningMomentsTest, MergeEqualsSingleStream) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> dist(1e6, 3);
  RunningMoments whole, a, b, c;
  for (int i = 0; i < 30'000; ++i) {
    const double x = dist(gen) + (i % 3) * 10;  // parts with different means
    whole.Add(x);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).Add(x);
  }
  RunningMoments merged;
  merged.Merge(a);
  merged.Merge(b);
  merged.Merge(c);
  EXPECT_EQ(merged.count(), whole.count());
  EXPECT_NEAR(merged.mean(), whole.mean(), 1e-9);
  EXPECT_NEAR(merged.variance(), whole.variance(), 1e-8 * whole.variance());
  EXPECT_EQ(merged.min(), whole.min());
  EXPECT_EQ(merged.max(), whole.max());
}

TEST(RunningMomentsTest, MergeWithEmptySidesIsIdentity) {
  RunningMoments a, empty;
  a.Add(1);
  a.Add(3);
  a.Merge(empty);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.mean(), 2);
  empty.Merge(a);
  EXPECT_EQ(empty.count(), 2u);
  EXPECT_EQ(empty.variance(), 2);
  EXPECT_EQ(empty.min(), 1);
  EXPECT_EQ(empty.max(), 3);
}

TEST(RunningMomentsTest, IgnoresNaN) {
  RunningMoments m;
  m.Add(1);
  m.Add(std::numeric_limits<double>::quiet_NaN());
  m.Add(3);
  EXPECT_EQ(m.count(), 2u);
  EXPECT_EQ(m.mean(), 2);
}

TEST(RunningMomentsTest, ConstantStreamHasZeroVariance) {
  RunningMoments m;
  for (int i = 0; i < 1000; ++i) m.Add(0.1);
  EXPECT_EQ(m.variance(), 0);
  EXPECT_DOUBLE_EQ(m.mean(), 0.1);
}

}  // namespace
}  // namespace inferscope
