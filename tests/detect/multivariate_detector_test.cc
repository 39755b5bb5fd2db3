#include "detect/multivariate_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An ordinary minute of one model: every feature noisy around its level.
FeatureVector Ordinary(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  return {300 + 15 * n(rng),   std::max(0.0, 0.01 + 0.004 * n(rng)),
          70 + 4 * n(rng),     2 + 0.4 * n(rng),
          0.8 + 0.04 * n(rng), 500 + 25 * n(rng)};
}

MultivariateOptions Small() {
  MultivariateOptions o;
  o.window = 200;
  o.min_train = 50;
  o.retrain_every = 20;
  o.trees = 32;
  o.sample_size = 64;
  return o;
}

TimestampNs T(int i) { return static_cast<TimestampNs>(i) * kNanosPerMinute; }

TEST(MultivariateDetectorTest, LearnsUntilMinTrainAndNeverFiresBefore) {
  MultivariateDetector d(Small());
  std::mt19937_64 rng(1);
  for (int i = 0; i < 50; ++i) {
    FeatureVector x = Ordinary(rng);
    if (i == 40) x[0] = 5000;  // an outrageous point while learning
    DetectorOutput out = d.Update(T(i), x);
    EXPECT_TRUE(out.learning) << i;
    EXPECT_EQ(out.score, 0) << i;
    EXPECT_TRUE(std::isnan(d.last_isolation_score()));
  }
  EXPECT_EQ(d.fits(), 1u);
  DetectorOutput out = d.Update(T(50), Ordinary(rng));
  EXPECT_FALSE(out.learning);
}

TEST(MultivariateDetectorTest, IsQuietOnOrdinaryMinutesAndFiresOnAJointMoveNamingTheFeatures) {
  MultivariateDetector d(Small());
  std::mt19937_64 rng(2);
  double worst = 0;
  for (int i = 0; i < 600; ++i) {
    DetectorOutput out = d.Update(T(i), Ordinary(rng));
    worst = std::max(worst, out.score);
  }
  EXPECT_LT(worst, 0.5);
  // Latency doubles and errors jump: the incident that moves several features at once.
  FeatureVector bad = Ordinary(rng);
  bad[0] = 650;
  bad[1] = 0.12;
  DetectorOutput out = d.Update(T(600), bad);
  EXPECT_GE(out.score, 0.5);
  EXPECT_EQ(out.direction, Direction::kAbove);
  EXPECT_GT(d.last_isolation_score(), out.expected);
  EXPECT_EQ(out.upper, Small().threshold);
  // Both moved features are named, the larger z first (error rate: (0.12-0.01)/0.005 = 22
  // sigma floor-bound; latency: 350 / (1.4826 * ~10) ~ 23 sigma); nothing else is.
  const std::string& details = d.details();
  EXPECT_NE(details.find("latency_p95_ms z=+"), std::string::npos) << details;
  EXPECT_NE(details.find("error_rate z=+"), std::string::npos) << details;
  EXPECT_EQ(details.find("gpu_util"), std::string::npos) << details;
  EXPECT_GT(d.last_z()[0], 15);
  EXPECT_GT(d.last_z()[1], 15);
  EXPECT_LT(std::fabs(d.last_z()[2]), 4);
}

TEST(MultivariateDetectorTest, ACombinationOfSmallMovesNeedsOneFeatureBeyondMinFeatureZ) {
  MultivariateOptions gated = Small(), ungated = Small();
  ungated.min_feature_z = 0;
  MultivariateDetector a(gated), b(ungated);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300; ++i) {
    FeatureVector x = Ordinary(rng);
    a.Update(T(i), x);
    b.Update(T(i), x);
  }
  // Every feature ~3 sigma off at once: isolated quickly, but no single feature is 4 sigma.
  FeatureVector x = {300 + 3 * 15, 0.01 + 3 * 0.006, 70 - 3 * 4,
                     2 + 3 * 0.4,  0.8 - 3 * 0.04,   500 + 3 * 25};
  DetectorOutput ga = a.Update(T(300), x);
  DetectorOutput gb = b.Update(T(300), x);
  EXPECT_EQ(ga.score, 0);
  EXPECT_GE(gb.score, 0.5);
  EXPECT_EQ(a.last_isolation_score(), b.last_isolation_score());  // same forest, same seed
}

TEST(MultivariateDetectorTest, RetrainsEveryNRowsAndForgetsRowsOlderThanTheWindow) {
  MultivariateOptions o = Small();
  MultivariateDetector d(o);
  std::mt19937_64 rng(4);
  for (int i = 0; i < 50 + 20 * 3; ++i) d.Update(T(i), Ordinary(rng));
  EXPECT_EQ(d.fits(), 4u);  // at 50, 70, 90, 110 rows
  // A level shift is absorbed once the window holds mostly the new level.
  int fired_late = 0;
  for (int i = 0; i < 400; ++i) {
    FeatureVector x = Ordinary(rng);
    x[0] += 400;
    DetectorOutput out = d.Update(T(110 + i), x);
    if (i >= 300 && out.score >= 0.5) ++fired_late;
  }
  EXPECT_EQ(fired_late, 0);
  const size_t bytes = d.StateBytes();
  for (int i = 0; i < 500; ++i) d.Update(T(600 + i), Ordinary(rng));
  EXPECT_LE(d.StateBytes(), bytes + 16 * 1024);  // bounded: the ring does not grow
}

TEST(MultivariateDetectorTest, AFeatureAModelNeverReportsPlaysNoPart) {
  MultivariateDetector d(Small());
  std::mt19937_64 rng(5);
  for (int i = 0; i < 300; ++i) {
    FeatureVector x = Ordinary(rng);
    x[2] = kNaN;  // no GPU telemetry
    d.Update(T(i), x);
  }
  FeatureVector x = Ordinary(rng);
  x[2] = kNaN;
  DetectorOutput out = d.Update(T(300), x);
  EXPECT_LT(out.score, 0.5);
  EXPECT_TRUE(std::isnan(d.last_z()[2]));
  // All NaN: skipped, nothing learnt.
  FeatureVector none;
  none.fill(kNaN);
  DetectorOutput skipped = d.Update(T(301), none);
  EXPECT_EQ(skipped.score, 0);
  EXPECT_TRUE(std::isnan(d.last_isolation_score()));
}

TEST(MultivariateDetectorTest, ACheckpointResumesBitIdentically) {
  MultivariateDetector a(Small());
  std::mt19937_64 rng(6);
  std::vector<FeatureVector> rows;
  for (int i = 0; i < 700; ++i) {
    FeatureVector x = Ordinary(rng);
    if (i % 97 == 0) x[0] *= 3;
    rows.push_back(x);
  }
  for (int i = 0; i < 333; ++i) a.Update(T(i), rows[static_cast<size_t>(i)]);
  std::string state;
  StateWriter w(&state);
  a.Save(w);
  MultivariateDetector b(Small());
  StateReader r(state.data(), state.size());
  ASSERT_TRUE(b.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(b.fits(), a.fits());
  for (int i = 333; i < 700; ++i) {
    DetectorOutput x = a.Update(T(i), rows[static_cast<size_t>(i)]);
    DetectorOutput y = b.Update(T(i), rows[static_cast<size_t>(i)]);
    ASSERT_EQ(x.score, y.score) << i;
    ASSERT_EQ(x.expected, y.expected) << i;
    ASSERT_EQ(a.details(), b.details()) << i;
  }
}

TEST(MultivariateDetectorTest, ForeignOrTruncatedStateIsRejectedLeavingAUsableDetector) {
  MultivariateDetector a(Small());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 120; ++i) a.Update(T(i), Ordinary(rng));
  std::string state;
  StateWriter w(&state);
  a.Save(w);

  MultivariateOptions other = Small();
  other.window = 300;
  MultivariateDetector b(other);
  StateReader r1(state.data(), state.size());
  EXPECT_EQ(b.Load(r1).code(), StatusCode::kInvalidArgument);

  MultivariateDetector c(Small());
  StateReader r2(state.data(), state.size() - 9);
  EXPECT_EQ(c.Load(r2).code(), StatusCode::kDataLoss);
  EXPECT_TRUE(c.learning());
  EXPECT_TRUE(c.Update(T(0), Ordinary(rng)).learning);

  std::string foreign = "rbz1xxxxxxxx";
  StateReader r3(foreign.data(), foreign.size());
  EXPECT_FALSE(c.Load(r3).ok());
}

TEST(MultivariateDetectorTest, EveryTruncationOfAStateIsRejectedCleanly) {
  MultivariateDetector a(Small());
  std::mt19937_64 rng(8);
  for (int i = 0; i < 90; ++i) a.Update(T(i), Ordinary(rng));
  std::string state;
  StateWriter w(&state);
  a.Save(w);
  for (size_t n = 0; n < state.size(); n += 13) {
    MultivariateDetector b(Small());
    StateReader r(state.data(), n);
    Status st = b.Load(r);
    EXPECT_FALSE(st.ok()) << n;
    EXPECT_TRUE(b.learning()) << n;
  }
}

TEST(MultivariateDetectorTest, SpecsParseWithEveryOptionAndNameTheBadOne) {
  auto o = ParseMultivariateSpec(
      "isolation_forest window=300 min_train=60 retrain_every=30 trees=16 sample_size=32 "
      "seed=9 threshold=0.8 min_feature_z=3");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->window, 300u);
  EXPECT_EQ(o->min_train, 60u);
  EXPECT_EQ(o->retrain_every, 30u);
  EXPECT_EQ(o->trees, 16u);
  EXPECT_EQ(o->sample_size, 32u);
  EXPECT_EQ(o->seed, 9u);
  EXPECT_EQ(o->threshold, 0.8);
  EXPECT_EQ(o->min_feature_z, 3);
  EXPECT_TRUE(ParseMultivariateSpec("").ok());
  auto bad = ParseMultivariateSpec("isolation_forest windw=3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("windw"), std::string::npos);
  EXPECT_FALSE(ParseMultivariateSpec("threshold=0.4").ok());
  EXPECT_FALSE(ParseMultivariateSpec("threshold=abc").ok());
  EXPECT_FALSE(ParseMultivariateSpec("window=100 min_train=200").ok());
  EXPECT_FALSE(ParseMultivariateSpec("trees=0").ok());
}

TEST(MultivariateDetectorTest, FeaturesComeFromTheBucket) {
  BucketStats b;
  for (int i = 0; i < 4; ++i) {
    Event e;
    e.model = "m";
    e.status = i == 0 ? EventStatus::kError : EventStatus::kOk;
    e.Set(EventField::kLatencyMs, 100.0 * (i + 1));
    e.Set(EventField::kGpuUtil, 50.0 + i);
    e.Set(EventField::kInputTokens, 10.0);
    e.Set(EventField::kOutputTokens, 20.0 + 2 * i);
    b.Add(e);
  }
  FeatureVector f = MultivariateFeatures(b);
  EXPECT_NEAR(f[0], b.latency_ms.Quantile(0.95), 1e-9);
  EXPECT_DOUBLE_EQ(f[1], 0.25);
  EXPECT_DOUBLE_EQ(f[2], 51.5);
  EXPECT_TRUE(std::isnan(f[3]));  // no queue depth reported
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_DOUBLE_EQ(f[5], 10 + 23);
  EXPECT_EQ(MultivariateFeatureName(5), "tokens_per_request");
  const BucketStats nothing;
  FeatureVector empty = MultivariateFeatures(nothing);
  for (double v : empty) EXPECT_TRUE(std::isnan(v));
}

}  // namespace
}  // namespace inferscope
