#include "detect/threshold_rule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferscope {
namespace {

TEST(ThresholdRuleTest, AboveFiresAtAndOverTheThresholdNeverLearning) {
  ThresholdOptions o;
  o.threshold = 0.05;  // error rate above 5%
  ThresholdRule rule(o);
  DetectorOutput ok = rule.Update(0, 0.01);
  EXPECT_FALSE(ok.learning);
  EXPECT_EQ(ok.score, 0);
  EXPECT_LT(rule.Update(1, 0.049).score, 0.5);
  EXPECT_GE(rule.Update(2, 0.05).score, 0.5);
  DetectorOutput bad = rule.Update(3, 0.4);
  EXPECT_GT(bad.score, 0.99);
  EXPECT_EQ(bad.direction, Direction::kAbove);
  EXPECT_DOUBLE_EQ(bad.expected, 0.05);
}

TEST(ThresholdRuleTest, BelowWithIgnoreZeroIsTheClassicBatchFillRule) {
  ThresholdOptions o;
  o.threshold = 0.3;
  o.direction = Direction::kBelow;
  o.ignore_zero = true;
  ThresholdRule rule(o);
  EXPECT_EQ(rule.Update(0, 0).score, 0);  // idle, not badly batched
  EXPECT_GE(rule.Update(1, 0.1).score, 0.5);
  EXPECT_LT(rule.Update(2, 0.35).score, 0.5);
  EXPECT_EQ(rule.Update(3, std::nan("")).score, 0);
}

TEST(ThresholdRuleTest, ValidatesItsOptions) {
  ThresholdOptions o;
  o.direction = Direction::kBelow;
  o.threshold = 0;
  EXPECT_FALSE(o.Validate().ok());
  o.threshold = 40;
  EXPECT_TRUE(o.Validate().ok());
  o.direction = Direction::kBoth;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
