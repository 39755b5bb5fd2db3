#include "core/crc32c.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace inferscope
