#include "demo/load_curve.h"

#include <cmath>
#include <numbers>

namespace inferscope {
namespace {

// (1 - A) / (1 + A) = 0.3: the trough is 30% of the peak.
constexpr double kAmplitude = 0.7 / 1.3;
constexpr double kPeakHourUtc = 15.0;
constexpr double kWeekday = 1.02;
constexpr double kWeekend = 0.95;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

double LoadCurve::RateFactor(TimestampNs t) {
  const int64_t day = FloorDiv(t, kNanosPerDay);
  const double hour = static_cast<double>(t - day * kNanosPerDay) / kNanosPerHour;
  const double diurnal =
      1.0 + kAmplitude * std::cos(2.0 * std::numbers::pi * (hour - kPeakHourUtc) / 24.0);
  // 1970-01-01 was a Thursday; 0 = Monday.
  const int64_t weekday = ((day + 3) % 7 + 7) % 7;
  return diurnal * (weekday >= 5 ? kWeekend : kWeekday);
}

double LoadCurve::MaxRateFactor() { return (1.0 + kAmplitude) * kWeekday; }

}  // namespace inferscope
