#include "detect/baseline_drop_rule.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(BaselineDropRuleTest, RelativeDropFiresPastThePercentage) {
  BaselineDropOptions o;
  o.max_drop_pct = 20;  // cache hit rate dropped more than 20%
  o.window = 30;
  o.min_points = 10;
  ASSERT_TRUE(o.Validate().ok());
  BaselineDropRule rule(o);
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(rule.Update(i, 0.3).learning);
  (void)rule.Update(9, 0.3);
  EXPECT_LT(rule.Update(10, 0.25).score, 0.5);  // -17%
  BaselineDropRule fresh(o);
  for (int i = 0; i < 30; ++i) (void)fresh.Update(i, 0.3);
  DetectorOutput out = fresh.Update(30, 0.05);
  EXPECT_GE(out.score, 0.5);
  EXPECT_EQ(out.direction, Direction::kBelow);
  EXPECT_NEAR(out.expected, 0.3, 1e-12);
  EXPECT_NEAR(out.lower, 0.24, 1e-12);
  EXPECT_EQ(fresh.Update(31, 0.9).score, 0);  // a rise is not a drop
}

TEST(BaselineDropRuleTest, AbsoluteDropInPoints) {
  BaselineDropOptions o;
  o.max_drop_abs = 5;  // quality score dropped more than 5 points
  BaselineDropRule rule(o);
  for (int i = 0; i < 60; ++i) (void)rule.Update(i, 80);
  EXPECT_LT(rule.Update(60, 76).score, 0.5);
  EXPECT_GE(rule.Update(61, 70).score, 0.5);
}

TEST(BaselineDropRuleTest, ValidatesTheLimits) {
  BaselineDropOptions o;
  EXPECT_TRUE(o.Validate().ok());  // 20% by default
  o.max_drop_pct = 100;
  EXPECT_FALSE(o.Validate().ok());
  o.max_drop_abs = 1;  // an absolute limit takes precedence
  EXPECT_TRUE(o.Validate().ok());
  o.max_drop_abs = -1;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
