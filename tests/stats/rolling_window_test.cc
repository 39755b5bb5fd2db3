#include "stats/rolling_window.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <random>

#include "byte_state_io.h"

namespace inferscope {
namespace {

struct Exact {
  double mean;
  double variance;
};

Exact Recompute(const std::deque<double>& d) {
  double sum = 0;
  for (double x : d) sum += x;
  const double mean = sum / d.size();
  double ss = 0;
  for (double x : d) ss += (x - mean) * (x - mean);
  return {mean, d.size() < 2 ? std::nan("") : ss / (d.size() - 1)};
}

TEST(RollingWindowTest, MeanAndVarianceMatchRecomputationOverTheLastWPoints) {
  RollingWindow w(37);
  std::deque<double> ref;
  std::mt19937_64 gen(7);
  std::lognormal_distribution<double> d(5, 1);
  for (int i = 0; i < 5000; ++i) {
    const double x = d(gen);
    w.Push(x);
    ref.push_back(x);
    if (ref.size() > 37) ref.pop_front();
    const Exact e = Recompute(ref);
    ASSERT_NEAR(w.mean(), e.mean, 1e-9 * std::fabs(e.mean)) << i;
    if (ref.size() >= 2) {
      ASSERT_NEAR(w.variance(), e.variance, 1e-7 * e.variance + 1e-9) << i;
    }
  }
}

TEST(RollingWindowTest, EvictsSamplesOlderThanWindow) {
  RollingWindow w(3);
  for (double x : {1.0, 2.0, 3.0, 4.0, 5.0}) w.Push(x);
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], 3);
  EXPECT_EQ(w[2], 5);
  EXPECT_DOUBLE_EQ(w.mean(), 4);
  EXPECT_DOUBLE_EQ(w.variance(), 1);
}

TEST(RollingWindowTest, EmptyAndSingleHaveNaNWhereUndefined) {
  RollingWindow w(4);
  EXPECT_TRUE(std::isnan(w.mean()));
  w.Push(2);
  EXPECT_EQ(w.mean(), 2);
  EXPECT_TRUE(std::isnan(w.variance()));
}

TEST(RollingWindowTest, SaveLoadRoundTripsExactly) {
  RollingWindow w(8);
  for (int i = 0; i < 21; ++i) w.Push(i * 1.5);
  ByteWriter out;
  w.Save(out);
  RollingWindow back(8);
  ByteReader in(out.bytes);
  ASSERT_TRUE(back.Load(in).ok());
  for (int i = 0; i < 30; ++i) {
    w.Push(i);
    back.Push(i);
    ASSERT_EQ(w.mean(), back.mean());
    ASSERT_EQ(w.variance(), back.variance());
  }
}

TEST(RollingWindowTest, LoadRejectsOtherCapacityAndTruncation) {
  RollingWindow w(8);
  for (int i = 0; i < 5; ++i) w.Push(i);
  ByteWriter out;
  w.Save(out);
  RollingWindow other(9);
  ByteReader in(out.bytes);
  EXPECT_EQ(other.Load(in).code(), StatusCode::kInvalidArgument);
  for (size_t cut = 0; cut < out.bytes.size(); ++cut) {
    RollingWindow back(8);
    ByteReader r(out.bytes, cut);
    EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss) << cut;
  }
}

}  // namespace
}  // namespace inferscope
