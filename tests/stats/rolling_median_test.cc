#include "stats/rolling_median.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <random>
#include <vector>

#include "byte_state_io.h"
#include "stats/robust_stats.h"

namespace inferscope {
namespace {

TEST(RollingMedianTest, MatchesExactStatisticsOfTheLastWPoints) {
  for (uint32_t cap : {1u, 2u, 5u, 64u, 65u}) {
    RollingMedian m(cap);
    std::deque<double> ref;
    std::mt19937_64 gen(cap);
    std::normal_distribution<double> d(100, 10);
    for (int i = 0; i < 3000; ++i) {
      // Rounded values give ties, which the sorted-array bookkeeping must survive.
      const double x = i % 3 == 0 ? std::round(d(gen)) : d(gen);
      m.Push(x);
      ref.push_back(x);
      if (ref.size() > cap) ref.pop_front();
      const std::vector<double> v(ref.begin(), ref.end());
      ASSERT_DOUBLE_EQ(m.median(), Median(v)) << cap << " " << i;
      ASSERT_DOUBLE_EQ(m.mad(), MedianAbsoluteDeviation(v)) << cap << " " << i;
      ASSERT_DOUBLE_EQ(m.quantile(0.25), ExactQuantile(v, 0.25)) << cap << " " << i;
      ASSERT_DOUBLE_EQ(m.quantile(0.9), ExactQuantile(v, 0.9)) << cap << " " << i;
    }
  }
}

TEST(RollingMedianTest, MadOfAllEqualValuesIsZero) {
  RollingMedian m(10);
  for (int i = 0; i < 20; ++i) m.Push(5);
  EXPECT_EQ(m.median(), 5);
  EXPECT_EQ(m.mad(), 0);
}

TEST(RollingMedianTest, EmptyIsNaN) {
  RollingMedian m(4);
  EXPECT_TRUE(std::isnan(m.median()));
  EXPECT_TRUE(std::isnan(m.mad()));
}

TEST(RollingMedianTest, SaveLoadRoundTripsAndTruncationIsDataLoss) {
  RollingMedian m(16);
  for (int i = 0; i < 40; ++i) m.Push((i * 37) % 11);
  ByteWriter out;
  m.Save(out);
  RollingMedian back(16);
  ByteReader in(out.bytes);
  ASSERT_TRUE(back.Load(in).ok());
  for (int i = 0; i < 40; ++i) {
    m.Push(i % 5);
    back.Push(i % 5);
    ASSERT_EQ(m.median(), back.median());
    ASSERT_EQ(m.mad(), back.mad());
  }
  for (size_t cut = 0; cut < out.bytes.size(); ++cut) {
    RollingMedian t(16);
    ByteReader r(out.bytes, cut);
    EXPECT_EQ(t.Load(r).code(), StatusCode::kDataLoss) << cut;
  }
}

}  // namespace
}  // namespace inferscope
