#include "alert/backoff_policy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace inferscope {
namespace {

TEST(BackoffPolicyTest, CeilingDoublesFromInitialUntilTheCap) {
  BackoffPolicy p{kNanosPerSecond, 60 * kNanosPerSecond};
  EXPECT_EQ(p.CeilingNs(1), 1 * kNanosPerSecond);
  EXPECT_EQ(p.CeilingNs(2), 2 * kNanosPerSecond);
  EXPECT_EQ(p.CeilingNs(3), 4 * kNanosPerSecond);
  EXPECT_EQ(p.CeilingNs(6), 32 * kNanosPerSecond);
  EXPECT_EQ(p.CeilingNs(7), 60 * kNanosPerSecond);  // 64 s capped
  EXPECT_EQ(p.CeilingNs(1000), 60 * kNanosPerSecond);
  EXPECT_EQ(p.CeilingNs(0), 1 * kNanosPerSecond);
}

TEST(BackoffPolicyTest, CeilingNeverOverflowsWithHugeValues) {
  BackoffPolicy p{std::numeric_limits<int64_t>::max() / 3, std::numeric_limits<int64_t>::max()};
  EXPECT_EQ(p.CeilingNs(1), std::numeric_limits<int64_t>::max() / 3);
  EXPECT_EQ(p.CeilingNs(100), std::numeric_limits<int64_t>::max());
}

TEST(BackoffPolicyTest, FullJitterScalesTheCeilingByTheRandomDraw) {
  BackoffPolicy p{kNanosPerSecond, 60 * kNanosPerSecond};
  EXPECT_EQ(p.DelayNs(3, 0.5), 2 * kNanosPerSecond);
  EXPECT_EQ(p.DelayNs(3, 0.25), 1 * kNanosPerSecond);
  EXPECT_EQ(p.DelayNs(10, 0.5), 30 * kNanosPerSecond);
  EXPECT_EQ(p.DelayNs(3, 0.0), 0);
  EXPECT_EQ(p.DelayNs(3, 1.0), 4 * kNanosPerSecond);
  EXPECT_EQ(p.DelayNs(3, 7.0), 4 * kNanosPerSecond);  // clamped
  EXPECT_EQ(p.DelayNs(3, -1.0), 0);
  EXPECT_EQ(p.DelayNs(3, std::numeric_limits<double>::quiet_NaN()), 0);
}

}  // namespace
}  // namespace inferscope
