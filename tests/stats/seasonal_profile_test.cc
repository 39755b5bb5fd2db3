#include "stats/seasonal_profile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "byte_state_io.h"

namespace inferscope {
namespace {

TEST(SeasonalProfileTest, BucketIsHourOfDay) {
  SeasonalProfile p(24);
  p.Reset(24, kNanosPerHour);
  EXPECT_EQ(p.BucketOf(0), 0u);
  EXPECT_EQ(p.BucketOf(5 * kNanosPerHour + 10), 5u);
  EXPECT_EQ(p.BucketOf(3 * kNanosPerDay + 23 * kNanosPerHour), 23u);
  EXPECT_EQ(p.BucketOf(-kNanosPerHour), 23u);
}

TEST(SeasonalProfileTest, InterpolatesBetweenBucketCentres) {
  SeasonalProfile p(4);
  p.Reset(4, kNanosPerHour);
  p.Seed(0, 10, 1);
  p.Seed(1, 20, 3);
  p.Seed(2, 30, 1);
  p.Seed(3, 40, 1);
  // Centre of bucket 0 is 0:30; a quarter of the way to bucket 1's centre is 0:45.
  const auto e = p.At(kNanosPerHour / 2 + kNanosPerHour / 4);
  EXPECT_NEAR(e.mean, 12.5, 1e-6);
  EXPECT_NEAR(e.variance, 1.5, 1e-6);
  // Before bucket 0's centre it wraps to bucket 3.
  EXPECT_NEAR(p.At(0).mean, 25, 1e-6);
}

TEST(SeasonalProfileTest, EmptyBucketsGiveNaNAndUpdateInitialisesThem) {
  SeasonalProfile p(24);
  p.Reset(24, kNanosPerHour);
  EXPECT_TRUE(std::isnan(p.At(0).mean));
  p.Update(kNanosPerHour, 50, 0.1, 3, 4);
  EXPECT_NEAR(p.At(kNanosPerHour).mean, 50, 1e-6);
}

TEST(SeasonalProfileTest, ConvergesToACycleAndClipsOutliers) {
  SeasonalProfile p(24);
  p.Reset(24, kNanosPerHour);
  auto curve = [](int64_t ts) {
    return 100 + 50 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay);
  };
  const int64_t step = 5 * kNanosPerMinute;
  for (int64_t ts = 0; ts < 20 * kNanosPerDay; ts += step) p.Update(ts, curve(ts), 0.05, 3, 1);
  for (int64_t ts = 0; ts < kNanosPerDay; ts += step) ASSERT_NEAR(p.At(ts).mean, curve(ts), 1.5);
  const double before = p.At(12 * kNanosPerHour).mean;
  p.Update(12 * kNanosPerHour, 1e9, 0.05, 3, 1);
  EXPECT_LT(std::fabs(p.At(12 * kNanosPerHour).mean - before), 1.0);
}

TEST(SeasonalProfileTest, SaveLoadRoundTripsAndRejectsTruncation) {
  SeasonalProfile p(24);
  p.Reset(24, kNanosPerHour);
  for (int i = 0; i < 100; ++i) p.Update(i * kNanosPerMinute * 17, i % 9, 0.1, 3, 1);
  ByteWriter out;
  p.Save(out);
  SeasonalProfile back(24);
  ByteReader in(out.bytes);
  ASSERT_TRUE(back.Load(in).ok());
  EXPECT_EQ(back.At(12345).mean, p.At(12345).mean);
  for (size_t cut = 0; cut < out.bytes.size(); ++cut) {
    SeasonalProfile t(24);
    ByteReader r(out.bytes, cut);
    EXPECT_EQ(t.Load(r).code(), StatusCode::kDataLoss) << cut;
  }
}

}  // namespace
}  // namespace inferscope
