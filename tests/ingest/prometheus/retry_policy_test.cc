#include "ingest/prometheus/retry_policy.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(RetryPolicyTest, DoublesFromTheInitialBackoffUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff_ns = 100;
  policy.max_backoff_ns = 1000;
  EXPECT_EQ(policy.DelayNs(2), 100);
  EXPECT_EQ(policy.DelayNs(3), 200);
  EXPECT_EQ(policy.DelayNs(4), 400);
  EXPECT_EQ(policy.DelayNs(5), 800);
  EXPECT_EQ(policy.DelayNs(6), 1000);
  EXPECT_EQ(policy.DelayNs(1'000'000), 1000);
}

TEST(RetryPolicyTest, RetryAfterRaisesTheWaitButNotPastTheCap) {
  RetryPolicy policy;
  policy.initial_backoff_ns = 100;
  policy.max_backoff_ns = 1000;
  EXPECT_EQ(policy.DelayNs(2, 50), 100);
  EXPECT_EQ(policy.DelayNs(2, 700), 700);
  EXPECT_EQ(policy.DelayNs(2, 5000), 1000);
}

TEST(RetryPolicyTest, ParsesRetryAfterSeconds) {
  EXPECT_EQ(ParseRetryAfterNs("3"), 3 * kNanosPerSecond);
  EXPECT_EQ(ParseRetryAfterNs(" 7 "), 7 * kNanosPerSecond);
  EXPECT_EQ(ParseRetryAfterNs(""), 0);
  EXPECT_EQ(ParseRetryAfterNs("-1"), 0);
  EXPECT_EQ(ParseRetryAfterNs("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
  EXPECT_EQ(ParseRetryAfterNs("99999999999"), 86'400 * kNanosPerSecond);
}

TEST(RetryPolicyTest, RetriesTooManyRequestsAndServerErrorsOnly) {
  EXPECT_TRUE(IsRetryableHttpStatus(429));
  EXPECT_TRUE(IsRetryableHttpStatus(500));
  EXPECT_TRUE(IsRetryableHttpStatus(502));
  EXPECT_TRUE(IsRetryableHttpStatus(503));
  EXPECT_FALSE(IsRetryableHttpStatus(501));
  EXPECT_FALSE(IsRetryableHttpStatus(505));
  EXPECT_FALSE(IsRetryableHttpStatus(400));
  EXPECT_FALSE(IsRetryableHttpStatus(404));
  EXPECT_FALSE(IsRetryableHttpStatus(422));
  EXPECT_FALSE(IsRetryableHttpStatus(200));
}

}  // namespace
}  // namespace inferscope
