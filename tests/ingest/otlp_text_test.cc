#include "ingest/otlp_text.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

TEST(OtlpTextTest, HexEncodesAndNormalisesIds) {
  std::string out;
  AppendLowerHex(&out, std::string("\x00\xab\xff", 3));
  EXPECT_EQ(out, "00abff");
  out.clear();
  EXPECT_TRUE(AppendNormalizedHex(&out, "EEE19B7EC3C1B174", 8));
  EXPECT_EQ(out, "eee19b7ec3c1b174");
  out.clear();
  EXPECT_FALSE(AppendNormalizedHex(&out, "EEE19B7EC3C1B17", 8));   // too short
  EXPECT_FALSE(AppendNormalizedHex(&out, "EEE19B7EC3C1B17G", 8));  // not hex
  EXPECT_EQ(out, "");
  EXPECT_TRUE(IsAllZeroHex("0000"));
  EXPECT_FALSE(IsAllZeroHex("0010"));
}

TEST(OtlpTextTest, Base64MatchesRfc4648TestVectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* encoded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    std::string enc, dec;
    AppendBase64(&enc, plain[i]);
    EXPECT_EQ(enc, encoded[i]);
    ASSERT_TRUE(DecodeBase64(encoded[i], &dec));
    EXPECT_EQ(dec, plain[i]);
  }
  std::string dec;
  EXPECT_TRUE(DecodeBase64("Zm9vYg", &dec));  // unpadded
  EXPECT_EQ(dec, "foob");
  dec.clear();
  EXPECT_TRUE(DecodeBase64("-_8", &dec));  // URL-safe alphabet
  EXPECT_EQ(dec, "\xfb\xff");
  EXPECT_FALSE(DecodeBase64("Zm9v!", &dec));
  EXPECT_FALSE(DecodeBase64("Z", &dec));
}

TEST(OtlpTextTest, ShortensWithoutSplittingACharacter) {
  EXPECT_EQ(ShortForMessage("abc", 5), "abc");
  EXPECT_EQ(ShortForMessage("abcdef", 3), "abc...");
  // "é" is two bytes; a cut after its first byte backs off before it.
  EXPECT_EQ(ShortForMessage("ab\xc3\xa9z", 3), "ab...");
}

}  // namespace
}  // namespace inferscope
