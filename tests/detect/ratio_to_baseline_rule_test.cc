#include "detect/ratio_to_baseline_rule.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

TEST(RatioToBaselineRuleTest, FiresAboveKTimesTheRollingMeanOnlyAfterMinPoints) {
  RatioToBaselineOptions o;
  o.k = 3;
  o.window = 10;
  o.min_points = 5;
  ASSERT_TRUE(o.Validate().ok());
  RatioToBaselineRule rule(o);
  for (int i = 0; i < 4; ++i) {
    DetectorOutput out = rule.Update(i, i == 2 ? 1000 : 100);
    EXPECT_TRUE(out.learning);
    EXPECT_EQ(out.score, 0);
  }
  // Baseline now (100+100+1000+100)/4 = 325 -> still learning at 4 points.
  EXPECT_TRUE(rule.Update(4, 100).learning);
  // 5 points: mean 280; 3x = 840.
  DetectorOutput below = rule.Update(5, 800);
  EXPECT_FALSE(below.learning);
  EXPECT_LT(below.score, 0.5);
  EXPECT_DOUBLE_EQ(below.expected, 280);
  RatioToBaselineRule fresh(o);
  for (int i = 0; i < 10; ++i) (void)fresh.Update(i, 100);
  DetectorOutput fire = fresh.Update(10, 300);
  EXPECT_GE(fire.score, 0.5);  // exactly 3x fires
  EXPECT_EQ(fire.direction, Direction::kAbove);
  EXPECT_DOUBLE_EQ(fire.upper, 300);
}

TEST(RatioToBaselineRuleTest, DirectionBelowCatchesADropToAFractionOfTheBaseline) {
  RatioToBaselineOptions o;
  o.k = 4;
  o.direction = Direction::kBelow;
  o.window = 20;
  o.min_points = 10;
  RatioToBaselineRule rule(o);
  for (int i = 0; i < 20; ++i) (void)rule.Update(i, 100);
  EXPECT_LT(rule.Update(20, 30).score, 0.5);
  EXPECT_GE(rule.Update(21, 20).score, 0.5);
  EXPECT_EQ(rule.Update(22, 1000).score, 0);  // rises are ignored
}

TEST(RatioToBaselineRuleTest, MinAbsDeviationSilencesTinyBaselines) {
  RatioToBaselineOptions o;
  o.min_abs_deviation = 10;
  RatioToBaselineRule rule(o);
  for (int i = 0; i < 20; ++i) (void)rule.Update(i, 2);
  EXPECT_EQ(rule.Update(20, 8).score, 0);  // 4x, but only 6 units
  EXPECT_GE(rule.Update(21, 20).score, 0.5);
}

TEST(RatioToBaselineRuleTest, CheckpointRestoresTheBaseline) {
  RatioToBaselineOptions o;
  RatioToBaselineRule a(o);
  for (int i = 0; i < 30; ++i) (void)a.Update(i, 50 + i % 7);
  std::string state;
  StateWriter w(&state);
  a.Save(w);
  auto b = a.CloneEmpty();
  StateReader r(state.data(), state.size());
  ASSERT_TRUE(b->Load(r).ok());
  for (double v : {60.0, 170.0, 400.0}) {
    DetectorOutput x = a.Update(100, v), y = b->Update(100, v);
    EXPECT_EQ(x.score, y.score);
    EXPECT_EQ(x.expected, y.expected);
  }
  StateReader truncated(state.data(), state.size() / 2);
  EXPECT_FALSE(a.CloneEmpty()->Load(truncated).ok());
}

TEST(RatioToBaselineRuleTest, RejectsNonsenseOptions) {
  RatioToBaselineOptions o;
  o.k = 1;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.min_points = o.window + 1;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.direction = Direction::kBoth;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
