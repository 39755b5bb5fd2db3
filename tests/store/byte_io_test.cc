#include "store/byte_io.h"

#include <gtest/gtest.h>

#include <limits>

namespace inferscope {
namespace {

TEST(ByteIoTest, RoundTripsFixedWidthVarintsAndStrings) {
  std::string buf;
  ByteSink sink(&buf);
  sink.U8(7);
  sink.U32(0xDEADBEEF);
  sink.I64(-5);
  sink.F64(2.5);
  sink.Varint(0);
  sink.Varint(300);
  sink.Varint(std::numeric_limits<uint64_t>::max());
  sink.SignedVarint(-1);
  sink.SignedVarint(std::numeric_limits<int64_t>::min());
  sink.Str("hello");
  ByteSource src(buf);
  uint8_t u8 = 0;
  uint32_t u32 = 0;
  int64_t i64 = 0;
  double f64 = 0;
  uint64_t v0 = 1, v1 = 0, v2 = 0;
  int64_t s1 = 0, s2 = 0;
  std::string_view str;
  ASSERT_TRUE(src.U8(&u8).ok());
  ASSERT_TRUE(src.U32(&u32).ok());
  ASSERT_TRUE(src.I64(&i64).ok());
  ASSERT_TRUE(src.F64(&f64).ok());
  ASSERT_TRUE(src.Varint(&v0).ok());
  ASSERT_TRUE(src.Varint(&v1).ok());
  ASSERT_TRUE(src.Varint(&v2).ok());
  ASSERT_TRUE(src.SignedVarint(&s1).ok());
  ASSERT_TRUE(src.SignedVarint(&s2).ok());
  ASSERT_TRUE(src.Str(&str).ok());
  EXPECT_EQ(u8, 7);
  EXPECT_EQ(u32, 0xDEADBEEF);
  EXPECT_EQ(i64, -5);
  EXPECT_EQ(f64, 2.5);
  EXPECT_EQ(v0, 0u);
  EXPECT_EQ(v1, 300u);
  EXPECT_EQ(v2, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(s1, -1);
  EXPECT_EQ(s2, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(str, "hello");
  EXPECT_EQ(src.remaining(), 0u);
}

TEST(ByteIoTest, VarintOf300IsTwoBytesLowGroupFirst) {
  std::string buf;
  ByteSink(&buf).Varint(300);
  ASSERT_EQ(buf.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(buf[0]), 0xAC);
  EXPECT_EQ(static_cast<uint8_t>(buf[1]), 0x02);
}

TEST(ByteIoTest, ReadingPastTheEndIsDataLossNamingTheOffset) {
  std::string buf = "\x01\x02";
  ByteSource src(buf);
  uint32_t v = 0;
  Status st = src.U32(&v);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("offset 0"), std::string::npos);
}

TEST(ByteIoTest, RejectsOverlongAndOverflowingVarints) {
  std::string eleven(11, '\x80');
  uint64_t v = 0;
  EXPECT_FALSE(ByteSource(eleven).Varint(&v).ok());
  std::string overflow(9, '\xFF');
  overflow += '\x02';  // bit 64 set
  EXPECT_FALSE(ByteSource(overflow).Varint(&v).ok());
}

TEST(ByteIoTest, StringLongerThanTheInputIsRejected) {
  std::string buf;
  ByteSink(&buf).Varint(1000);
  buf += "abc";
  std::string_view s;
  EXPECT_EQ(ByteSource(buf).Str(&s).code(), StatusCode::kDataLoss);
}

TEST(ByteIoTest, BoundedVarintRejectsValuesOverTheLimit) {
  std::string buf;
  ByteSink(&buf).Varint(11);
  uint64_t v = 0;
  EXPECT_FALSE(ByteSource(buf).BoundedVarint(10, &v, "count").ok());
  EXPECT_TRUE(ByteSource(buf).BoundedVarint(11, &v, "count").ok());
}

}  // namespace
}  // namespace inferscope
