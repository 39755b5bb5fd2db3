// BucketStats::Save / Load (the store persists per-minute rollups with them).
#include <gtest/gtest.h>

#include <cmath>
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
    if (i % 3) e.Set(EventField::kTtftMs, 20.0 + 0.5 * i);
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
  ASSERT_EQ(back.ttft_ms.count(), 200u);
  EXPECT_EQ(back.ttft_ms.count(), b.ttft_ms.count());
  EXPECT_EQ(back.ttft_ms.min(), b.ttft_ms.min());
  EXPECT_EQ(back.ttft_ms.max(), b.ttft_ms.max());
  for (double q : {0.5, 0.95, 0.99}) EXPECT_EQ(back.ttft_ms.Quantile(q), b.ttft_ms.Quantile(q));
}

TEST(BucketStatsSerializationTest, Version2IsTheVersion1LayoutFollowedByTheTtftSketch) {
  const BucketStats b = Sample();
  ByteWriter w;
  b.Save(w);
  ByteWriter latency, ttft;
  b.latency_ms.Save(latency);
  b.ttft_ms.Save(ttft);
  const size_t fixed = 1 + 3 * 8 + 4 + kEventFieldCount * (8 + 4);
  ASSERT_EQ(w.bytes.size(), fixed + latency.bytes.size() + ttft.bytes.size());
  EXPECT_EQ(w.bytes[0], 2);
  EXPECT_EQ(w.bytes.substr(fixed, latency.bytes.size()), latency.bytes);
  EXPECT_EQ(w.bytes.substr(fixed + latency.bytes.size()), ttft.bytes);
}

// Bytes of a BucketStats in layout version 1, as the previous build wrote them, spelled out
// field by field (docs/format/segment.md): 3 requests (1 error), latencies 1, 1, 1 ms, and
// TTFTs 20 and 30 ms on two of them, which version 1 kept only as a sum and a count.
std::string Version1Bytes() {
  ByteWriter w;
  w.U8(1);    // layout version
  w.U64(3);   // requests
  w.U64(1);   // errors
  w.U64(0);   // timeouts
  w.U32(12);  // field count
  for (int f = 0; f < 12; ++f) {
    const double sum = f == 0 ? 3.0 : (f == 1 ? 50.0 : 0.0);  // latency_ms, ttft_ms
    const uint32_t present = f == 0 ? 3 : (f == 1 ? 2 : 0);
    w.F64(sum);
    w.U32(present);
  }
  // The latency DDSketch (version 1): three values of exactly 1 ms, which map to bin 0.
  w.U8(1);
  w.F64(0.005);  // relative accuracy
  w.U32(4096);   // max bins
  w.U64(3);      // count
  w.F64(3.0);    // sum
  w.F64(1.0);    // min
  w.F64(1.0);    // max
  w.U64(0);      // zero count
  w.U32(0);      // positive store: first bin index 0,
  w.U32(1);      //   one bin
  w.U32(3);      //   holding 3
  w.U32(0);      //   no carries
  w.U32(0);      // negative store: empty
  w.U32(0);
  w.U32(0);
  return w.bytes;
}

TEST(BucketStatsSerializationTest, Version1BytesLoadWithAnEmptyTtftSketch) {
  static_assert(kEventFieldCount == 12, "Version1Bytes spells out 12 fields");
  const std::string v1 = Version1Bytes();
  BucketStats back;
  ByteReader r(v1);
  ASSERT_TRUE(back.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(back.requests, 3u);
  EXPECT_EQ(back.errors, 1u);
  EXPECT_EQ(back.latency_ms.count(), 3u);
  EXPECT_EQ(back.latency_ms.min(), 1.0);
  EXPECT_NEAR(back.latency_ms.Quantile(0.5), 1.0, 0.005);
  EXPECT_DOUBLE_EQ(back.Mean(EventField::kTtftMs), 25.0);  // the mean survives
  EXPECT_EQ(back.ttft_ms.count(), 0u);                     // the percentiles did not exist
  EXPECT_TRUE(std::isnan(back.ttft_ms.Quantile(0.95)));
  EXPECT_EQ(back.ttft_ms.relative_accuracy(), back.latency_ms.relative_accuracy());

  // A loaded version-1 bucket merges with new ones and is saved again as version 2.
  BucketStats now;
  Event e;
  e.Set(EventField::kLatencyMs, 2);
  e.Set(EventField::kTtftMs, 40);
  now.Add(e);
  back.Merge(now);
  EXPECT_EQ(back.ttft_ms.count(), 1u);
  EXPECT_EQ(back.Present(EventField::kTtftMs), 3u);
  ByteWriter w;
  back.Save(w);
  EXPECT_EQ(w.bytes[0], 2);
  BucketStats again;
  ByteReader r2(w.bytes);
  ASSERT_TRUE(again.Load(r2).ok());
  EXPECT_EQ(again.ttft_ms.count(), 1u);
  EXPECT_EQ(again.ttft_ms.max(), 40);

  // Every truncation of the version-1 bytes is still rejected.
  for (size_t n = 0; n < v1.size(); ++n) {
    BucketStats cut;
    ByteReader rc(v1, n);
    EXPECT_EQ(cut.Load(rc).code(), StatusCode::kDataLoss) << n;
  }
}

TEST(BucketStatsSerializationTest, UnknownLayoutVersionsAreRejected) {
  for (uint8_t version : {0, 3, 255}) {
    std::string bytes = Version1Bytes();
    bytes[0] = static_cast<char>(version);
    BucketStats back;
    ByteReader r(bytes);
    EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss) << int{version};
  }
  // Version 2 without the TTFT sketch that version 2 requires.
  std::string bytes = Version1Bytes();
  bytes[0] = 2;
  BucketStats back;
  ByteReader r(bytes);
  EXPECT_EQ(back.Load(r).code(), StatusCode::kDataLoss);
  EXPECT_EQ(back.requests, 0u);
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
