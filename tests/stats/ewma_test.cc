#include "stats/ewma.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "byte_state_io.h"

namespace inferscope {
namespace {

TEST(EwmaTest, EmptyHasNaNStatistics) {
  Ewma e(0.1);
  EXPECT_TRUE(std::isnan(e.mean()));
  EXPECT_TRUE(std::isnan(e.variance()));
}

TEST(EwmaTest, IsThePlainMeanAndVarianceWhileYoungerThanOneOverAlpha) {
  Ewma e(0.01);
  std::vector<double> v = {3, 7, 1, 9, 4, 4, 8};
  for (double x : v) e.Add(x);
  double mean = 0;
  for (double x : v) mean += x;
  mean /= v.size();
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  var /= v.size();
  EXPECT_NEAR(e.mean(), mean, 1e-12);
  EXPECT_NEAR(e.variance(), var, 1e-12);
}

TEST(EwmaTest, MatchesTheRecursiveDefinitionOnceWarm) {
  const double alpha = 0.2;
  Ewma e(alpha);
  std::mt19937_64 gen(1);
  std::normal_distribution<double> d(10, 2);
  double mean = 0;
  double var = 0;
  for (int i = 1; i <= 500; ++i) {
    const double x = d(gen);
    e.Add(x);
    const double a = std::max(alpha, 1.0 / i);
    const double diff = x - mean;
    mean = i == 1 ? x : mean + a * diff;
    var = i == 1 ? 0 : (1 - a) * (var + a * diff * diff);
  }
  EXPECT_NEAR(e.mean(), mean, 1e-9);
  EXPECT_NEAR(e.variance(), var, 1e-9);
  EXPECT_NEAR(e.stddev(), 2, 0.6);
}

TEST(EwmaTest, HalfLifeHalvesTheWeight) {
  const double a = Ewma::AlphaFromHalfLife(10);
  EXPECT_NEAR(std::pow(1 - a, 10), 0.5, 1e-12);
}

TEST(EwmaTest, IgnoresNaN) {
  Ewma e(0.5);
  e.Add(1);
  e.Add(std::nan(""));
  EXPECT_EQ(e.count(), 1u);
  EXPECT_EQ(e.mean(), 1);
}

TEST(EwmaTest, SaveLoadRoundTripsAndTruncationIsDataLoss) {
  Ewma e(0.1);
  for (int i = 0; i < 50; ++i) e.Add(i % 7);
  ByteWriter w;
  e.Save(w);
  Ewma back(0.1);
  ByteReader r(w.bytes);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(back.mean(), e.mean());
  EXPECT_EQ(back.variance(), e.variance());
  ByteReader short_reader(w.bytes, w.bytes.size() - 1);
  EXPECT_EQ(Ewma(0.1).Load(short_reader).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace inferscope
