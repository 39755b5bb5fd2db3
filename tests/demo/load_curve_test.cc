#include "demo/load_curve.h"

#include <gtest/gtest.h>

#include "demo/demo_options.h"

namespace inferscope {
namespace {

TEST(LoadCurveTest, TroughIsThirtyPercentOfPeak) {
  const TimestampNs monday = kDefaultDemoStartNs;
  const double peak = LoadCurve::RateFactor(monday + 15 * kNanosPerHour);
  const double trough = LoadCurve::RateFactor(monday + 3 * kNanosPerHour);
  EXPECT_NEAR(trough / peak, 0.3, 1e-9);
  EXPECT_NEAR(peak, LoadCurve::MaxRateFactor(), 1e-9);
}

TEST(LoadCurveTest, WeekAveragesToOneAndWeekendsAreQuieter) {
  double week = 0;
  const int steps_per_day = 1440;
  for (int day = 0; day < 7; ++day) {
    double sum = 0;
    for (int i = 0; i < steps_per_day; ++i) {
      sum += LoadCurve::RateFactor(kDefaultDemoStartNs + day * kNanosPerDay + i * kNanosPerMinute);
    }
    const double mean = sum / steps_per_day;
    EXPECT_NEAR(mean, day < 5 ? 1.02 : 0.95, 1e-6) << "day " << day;
    week += mean / 7;
  }
  EXPECT_NEAR(week, 1.0, 1e-6);
}

TEST(LoadCurveTest, UtilizationIsAtMostOne) {
  for (int i = 0; i < 7 * 24; ++i) {
    const double u = LoadCurve::Utilization(kDefaultDemoStartNs + i * kNanosPerHour);
    EXPECT_GT(u, 0.25);
    EXPECT_LE(u, 1.0 + 1e-12);
  }
}

}  // namespace
}  // namespace inferscope
