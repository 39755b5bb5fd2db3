#include "detect/isolation_forest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace inferscope {
namespace {

std::vector<double> Cluster(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> rows;
  for (int i = 0; i < n; ++i) {
    double a = g(rng);
    rows.push_back(100 + 5 * a);          // latency-like
    rows.push_back(50 + 2 * a + g(rng));  // correlated with it
    rows.push_back(g(rng));               // noise
  }
  return rows;
}

TEST(IsolationForestTest, AveragePathLengthMatchesThePaper) {
  EXPECT_EQ(IsolationForest::AveragePathLength(1), 0);
  EXPECT_EQ(IsolationForest::AveragePathLength(2), 1);
  // c(256) = 2 (ln 255 + gamma) - 2 * 255 / 256 ≈ 10.2448
  EXPECT_NEAR(IsolationForest::AveragePathLength(256), 10.2448, 1e-3);
}

TEST(IsolationForestTest, AnOutlierScoresAboveEveryOrdinaryRow) {
  IsolationForest forest;
  std::vector<double> rows = Cluster(1000, 1);
  ASSERT_TRUE(forest.Fit(rows, 3).ok());
  std::vector<double> typical = {100, 50, 0};
  std::vector<double> outlier = {160, 20, 4};       // far on every axis
  std::vector<double> off_relation = {110, 40, 0};  // normal marginals, broken correlation
  double s_typ = forest.Score(typical);
  double s_out = forest.Score(outlier);
  EXPECT_LT(s_typ, 0.5);
  EXPECT_GT(s_out, 0.7);
  EXPECT_GT(forest.Score(off_relation), s_typ);
  // Higher than the 99th percentile of the training rows' own scores.
  std::vector<double> own;
  for (size_t i = 0; i < rows.size(); i += 3) own.push_back(forest.Score({&rows[i], 3}));
  std::sort(own.begin(), own.end());
  EXPECT_GT(s_out, own[own.size() * 99 / 100]);
}

TEST(IsolationForestTest, SameSeedSameForest) {
  std::vector<double> rows = Cluster(300, 2);
  IsolationForest a({.trees = 16, .sample_size = 64, .seed = 7});
  IsolationForest b({.trees = 16, .sample_size = 64, .seed = 7});
  ASSERT_TRUE(a.Fit(rows, 3).ok());
  ASSERT_TRUE(b.Fit(rows, 3).ok());
  std::vector<double> x = {120, 45, 1};
  EXPECT_EQ(a.Score(x), b.Score(x));
}

TEST(IsolationForestTest, SkipsNanRowsAndRejectsTooLittleData) {
  IsolationForest forest;
  std::vector<double> rows = {1, 2, NAN, 4, 5, 6};
  EXPECT_TRUE(forest.Fit(rows, 2).ok());  // {1,2} and {5,6} are usable; {NaN,4} is skipped
  rows = {1, 2, NAN, 4};
  EXPECT_FALSE(forest.Fit(rows, 2).ok());
  EXPECT_FALSE(forest.Fit(std::vector<double>{1, 2, 3}, 2).ok());
  EXPECT_TRUE(std::isnan(IsolationForest().Score(std::vector<double>{1.0})));
}

TEST(IsolationForestTest, IdenticalRowsDoNotLoopForever) {
  IsolationForest forest;
  std::vector<double> rows(200 * 2, 1.0);
  ASSERT_TRUE(forest.Fit(rows, 2).ok());
  EXPECT_TRUE(std::isfinite(forest.Score(std::vector<double>{1, 1})));
  EXPECT_GT(forest.Score(std::vector<double>{1, 1}), 0);
}

TEST(IsolationForestTest, RangeAwareScoringKeepsGrowingBeyondTheTrainingRange) {
  std::vector<double> rows = Cluster(500, 3);
  IsolationForestOptions plain_options, aware_options;
  aware_options.range_aware = true;
  IsolationForest plain(plain_options), aware(aware_options);
  ASSERT_TRUE(plain.Fit(rows, 3).ok());
  ASSERT_TRUE(aware.Fit(rows, 3).ok());
  // Latency 10, 20 and 100 sd out with the other features ordinary: the plain forest cannot
  // tell them apart (every split lies inside the training range); range-aware scoring can.
  std::vector<double> far = {150, 50, 0}, farther = {200, 50, 0}, farthest = {600, 50, 0};
  EXPECT_NEAR(plain.Score(far), plain.Score(farthest), 1e-12);
  EXPECT_LT(aware.Score(far), aware.Score(farther));
  EXPECT_LT(aware.Score(farther), aware.Score(farthest));
  EXPECT_GT(aware.Score(farthest), plain.Score(farthest) + 0.1);
  // Same trees (same seed): inside the range a typical row scores about the same.
  std::vector<double> typical = {100, 50, 0};
  EXPECT_NEAR(aware.Score(typical), plain.Score(typical), 0.05);
}

TEST(IsolationForestTest, FewerRowsThanTheSampleSizeAreNormalisedByTheRowsUsed) {
  // 40 rows, sample_size 128: trees are grown from 40 rows, so c(40) normalises the paths;
  // with c(128) the shorter paths of small trees would make every row look anomalous
  // (ordinary rows ~0.6).
  std::vector<double> rows = Cluster(40, 4);
  IsolationForest forest;
  ASSERT_TRUE(forest.Fit(rows, 3).ok());
  double mean = 0;
  for (size_t i = 0; i < rows.size(); i += 3) mean += forest.Score({&rows[i], 3});
  mean /= 40;
  EXPECT_GT(mean, 0.4);
  EXPECT_LT(mean, 0.55);
}

}  // namespace
}  // namespace inferscope
