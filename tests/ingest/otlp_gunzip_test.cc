#include "ingest/otlp_gunzip.h"

#include <gtest/gtest.h>

#include <string>

#include "otlp_test_util.h"

namespace inferscope {
namespace {

using testing::Gzip;

TEST(OtlpGunzipTest, RoundTripsABody) {
  std::string body = testing::SharedOtlpTraceJson();
  std::string out;
  ASSERT_TRUE(GunzipBounded(Gzip(body), 1 << 20, &out).ok());
  EXPECT_EQ(out, body);
}

TEST(OtlpGunzipTest, DecodesConcatenatedMembers) {
  std::string out;
  ASSERT_TRUE(GunzipBounded(Gzip("hello ") + Gzip("world"), 100, &out).ok());
  EXPECT_EQ(out, "hello world");
}

TEST(OtlpGunzipTest, AcceptsOutputExactlyAtTheLimit) {
  std::string body(1000, 'a');
  std::string out;
  ASSERT_TRUE(GunzipBounded(Gzip(body), 1000, &out).ok());
  EXPECT_EQ(out.size(), 1000u);
  EXPECT_EQ(GunzipBounded(Gzip(body), 999, &out).code(), StatusCode::kResourceExhausted);
}

TEST(OtlpGunzipTest, StopsAZipBombAtTheLimit) {
  // 16 MiB of zeros compress to about 16 KiB; the limit is 1 MiB.
  std::string bomb = Gzip(std::string(16u << 20, '\0'), 9);
  ASSERT_LT(bomb.size(), 32u << 10);
  std::string out;
  Status st = GunzipBounded(bomb, 1u << 20, &out);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(out.empty());
  // What was allocated stayed within twice the limit (std::string grows geometrically).
  EXPECT_LE(out.capacity(), 2 * ((1u << 20) + 1));
}

TEST(OtlpGunzipTest, RefusesBodiesThatAreNotGzip) {
  std::string out;
  EXPECT_EQ(GunzipBounded("", 100, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GunzipBounded("{\"a\":1}", 100, &out).code(), StatusCode::kInvalidArgument);
}

TEST(OtlpGunzipTest, RefusesTruncatedCorruptAndTrailingBytes) {
  std::string gz = Gzip(std::string(5000, 'z') + "tail");
  std::string out;
  for (size_t n : {size_t{3}, size_t{10}, gz.size() / 2, gz.size() - 1}) {
    EXPECT_EQ(GunzipBounded(gz.substr(0, n), 1 << 20, &out).code(), StatusCode::kInvalidArgument)
        << n;
  }
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x55;  // inside the CRC32 trailer
  EXPECT_EQ(GunzipBounded(bad_crc, 1 << 20, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GunzipBounded(gz + "junk", 1 << 20, &out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferscope
