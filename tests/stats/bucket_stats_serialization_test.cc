// BucketStats::Save / Load (the store persists per-minute rollups with them).
#include <gtest/gtest.h>

#include <cstring>

#include "byte_state_io.h"
#include "stats/bucket_stats.h"

namespace inferscope {
namespace {

BucketStats Sample() {
  BucketStats b;
  for (int i = 0; i < 300; ++i) {
    Event e;
    e.status =
        i % 7 == 0 ? EventStatus::kError : (i % 11 == 0 ? EventStatus::kTimeout : EventStatus::kOk);
    e.Set(EventField::kLatencyMs, 5.0 + i);
    if (i % 2) e.Set(EventField::kCostUsd, 0.01 * i);
    e.Set(EventField::kOutputTokens, i);
    b.Add(e);
  }
  return b;
}

TEST(BucketStatsSerializationTest, RoundTripsCountersSumsAndTheSketch) {
  const BucketStats b = Sample();
  ByteWriter w;
  b.Save(w);
  BucketStats back;
  ByteReader r(w.bytes);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(back.requests, b.requests);
  EXPECT_EQ(back.errors, b.errors);
  EXPECT_EQ(back.timeouts, b.timeouts);
  for (int f = 0; f < kEventFieldCount; ++f) {
    EXPECT_EQ(back.sum[f], b.sum[f]);
    EXPECT_EQ(back.present[f], b.present[f]);
  }
  EXPECT_EQ(back.Mean(EventField::kCostUsd), b.Mean(EventField::kCostUsd));
  EXPECT_EQ(back.latency_ms.Quantile(0.95), b.latency_ms.Quantile(0.95));
}

TEST(BucketStatsSerializationTest, TruncatedOrInconsistentBytesAreRejected) {
  const BucketStats b = Sample();
  ByteWriter w;
  b.Save(w);
  for (size_t n = 0; n < w.bytes.size(); n += 5) {
    BucketStats back;
    ByteReader r(w.bytes, n);
    EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss) << n;
    EXPECT_EQ(back.requests, 0u);
  }
  std::string bad = w.bytes;
  const uint64_t errors = b.requests + 1;  // more errors than requests
  std::memcpy(&bad[9], &errors, 8);
  BucketStats back;
  ByteReader r(bad);
  EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace inferscope
