#ifndef INFERSCOPE_DEMO_LOAD_CURVE_H_
#define INFERSCOPE_DEMO_LOAD_CURVE_H_

#include "core/clock.h"

namespace inferscope {

// The shape of demo traffic over time: a daily sinusoid (peak at 15:00 UTC, trough at
// 03:00 UTC at 30% of the peak) times a mild weekly effect (weekdays x1.02, Saturday and
// Sunday x0.95, so a week averages exactly 1). Stateless; thread-safe.
class LoadCurve {
 public:
  // Relative request rate at t; the mean over one weekday is 1.02, over a week 1.0.
  static double RateFactor(TimestampNs t);
  // The largest RateFactor ever returned (a weekday's peak).
  static double MaxRateFactor();
  // How busy the fleet is at t, in (0, 1]: RateFactor / MaxRateFactor. The fleet is sized
  // to its peak, so queueing, batch sizes and GPU use follow this.
  static double Utilization(TimestampNs t) { return RateFactor(t) / MaxRateFactor(); }
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_LOAD_CURVE_H_
