// DDSketch::Save / Load (the store persists per-minute latency sketches with them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "byte_state_io.h"
#include "stats/dd_sketch.h"

namespace inferscope {
namespace {

std::string Saved(const DDSketch& s) {
  ByteWriter w;
  s.Save(w);
  return w.bytes;
}

TEST(DDSketchSerializationTest, LoadedSketchAnswersExactlyLikeTheOriginal) {
  DDSketch s;
  std::mt19937 rng(1);
  std::lognormal_distribution<double> d(3, 1.2);
  for (int i = 0; i < 20000; ++i) s.Add(d(rng));
  s.Add(0.0);
  s.Add(-3.5, 4);
  const std::string bytes = Saved(s);
  DDSketch back;
  ByteReader r(bytes);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(back.count(), s.count());
  EXPECT_EQ(back.sum(), s.sum());
  EXPECT_EQ(back.min(), s.min());
  EXPECT_EQ(back.max(), s.max());
  for (double q : {0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(back.Quantile(q), s.Quantile(q)) << q;
  }
  EXPECT_EQ(back.Rank(20.0), s.Rank(20.0));
  // Saving the loaded sketch gives the same bytes (only occupied bins are written).
  EXPECT_EQ(Saved(back), bytes);
}

TEST(DDSketchSerializationTest, LoadedSketchesMergeLikeTheOriginals) {
  DDSketch a, b;
  for (int i = 1; i <= 1000; ++i) a.Add(i);
  for (int i = 500; i <= 3000; ++i) b.Add(i * 0.5);
  DDSketch a2, b2;
  std::string sa = Saved(a), sb = Saved(b);
  ByteReader ra(sa), rb(sb);
  ASSERT_TRUE(a2.Load(ra).ok());
  ASSERT_TRUE(b2.Load(rb).ok());
  a.Merge(b);
  a2.Merge(b2);
  for (double q : {0.05, 0.5, 0.95}) EXPECT_EQ(a2.Quantile(q), a.Quantile(q));
  a2.Add(12345);
  a.Add(12345);
  EXPECT_EQ(a2.Quantile(1.0), a.Quantile(1.0));
}

TEST(DDSketchSerializationTest, EmptySketchRoundTrips) {
  DDSketch s;
  const std::string bytes = Saved(s);
  DDSketch back;
  back.Add(5);
  ByteReader r(bytes);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(back.count(), 0u);
  EXPECT_TRUE(std::isnan(back.Quantile(0.5)));
}

TEST(DDSketchSerializationTest, SaturatedBinsKeepTheirCarry) {
  DDSketch s;
  s.Add(10.0, uint64_t{UINT32_MAX} + 1000);
  s.Add(20.0);
  const std::string bytes = Saved(s);
  DDSketch back;
  ByteReader r(bytes);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(back.count(), s.count());
  EXPECT_EQ(back.Rank(15.0), s.Rank(15.0));
  EXPECT_EQ(back.Quantile(1.0), 20.0);
}

TEST(DDSketchSerializationTest, EveryTruncationIsDataLossAndLeavesTheSketchUnchanged) {
  DDSketch s;
  for (int i = 1; i < 100; ++i) s.Add(i);
  const std::string bytes = Saved(s);
  for (size_t n = 0; n < bytes.size(); ++n) {
    DDSketch back;
    back.Add(42);
    ByteReader r(bytes, n);
    EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss) << n;
    EXPECT_EQ(back.count(), 1u);
    EXPECT_EQ(back.Quantile(0.5), 42.0);
  }
}

TEST(DDSketchSerializationTest, InconsistentCountsAndRangesAreRejected) {
  DDSketch s;
  for (int i = 1; i < 10; ++i) s.Add(i);
  const std::string good = Saved(s);
  auto load = [](std::string bytes) {
    DDSketch back;
    ByteReader r(bytes);
    return back.Load(r);
  };
  // Layout: u8 version, f64 alpha, u32 max_bins, u64 count, f64 sum, f64 min, f64 max,
  // u64 zero count, then the positive store's u32 offset.
  std::string bad = good;
  bad[0] = 2;
  EXPECT_FALSE(load(bad).ok());  // version
  bad = good;
  const double alpha = 0.9;
  std::memcpy(&bad[1], &alpha, 8);
  EXPECT_FALSE(load(bad).ok());  // accuracy out of range
  bad = good;
  bad[13] ^= 1;
  EXPECT_FALSE(load(bad).ok());  // count no longer matches the bins
  bad = good;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::memcpy(&bad[29], &nan, 8);
  EXPECT_FALSE(load(bad).ok());  // min NaN with values present
  bad = good;
  const uint32_t far = 0x7FFFFFF0;
  std::memcpy(&bad[53], &far, 4);
  EXPECT_FALSE(load(bad).ok());  // bins beyond any finite double
}

}  // namespace
}  // namespace inferscope
