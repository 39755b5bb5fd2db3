#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace inferscope {
namespace {

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
}

TEST(Crc32cTest, CanBeComputedInPieces) {
  std::string s = "inferscope checkpoints and write-ahead logs";
  uint32_t whole = Crc32c(s.data(), s.size());
  uint32_t part = Crc32c(s.data(), 10);
  EXPECT_EQ(Crc32c(s.data() + 10, s.size() - 10, part), whole);
  s[3] ^= 1;
  EXPECT_NE(Crc32c(s.data(), s.size()), whole);
}

TEST(Crc32cTest, FastPathAgreesWithTheTableAtEveryLengthAndAlignment) {
  EXPECT_EQ(Crc32cPortable("123456789", 9), 0xE3069283u);
  std::mt19937 rng(7);
  std::string buf(300, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t n = 0; n + offset <= 140; ++n) {
      const uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(Crc32c(buf.data() + offset, n, seed), Crc32cPortable(buf.data() + offset, n, seed))
          << "offset " << offset << " length " << n;
    }
  }
}

}  // namespace
}  // namespace inferscope
