#include "store/fsync_policy.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(FsyncPolicyTest, ParsesTheThreePolicies) {
  auto a = ParseFsyncPolicy("always");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mode, FsyncPolicy::Mode::kAlways);
  auto n = ParseFsyncPolicy("never");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->mode, FsyncPolicy::Mode::kNever);
  auto i = ParseFsyncPolicy("interval=25ms");
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->mode, FsyncPolicy::Mode::kInterval);
  EXPECT_EQ(i->interval_ns, 25 * kNanosPerMilli);
  EXPECT_EQ(FormatFsyncPolicy(*i), "interval=25ms");
}

TEST(FsyncPolicyTest, RejectsUnknownPoliciesAndBadIntervals) {
  EXPECT_EQ(ParseFsyncPolicy("sometimes").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFsyncPolicy("interval=").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFsyncPolicy("interval=-5ms").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFsyncPolicy("Always").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferscope
