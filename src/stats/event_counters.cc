#include "stats/event_counters.h"

#include <limits>

namespace inferscope {

void EventCounters::Subtract(const EventCounters& part) {
  auto minus = [](auto a, auto b) { return a > b ? a - b : decltype(a){0}; };
  requests = minus(requests, part.requests);
  errors = minus(errors, part.errors);
  timeouts = minus(timeouts, part.timeouts);
  for (int f = 0; f < kEventFieldCount; ++f) {
    present[f] = minus(present[f], part.present[f]);
    sum[f] = present[f] == 0 ? 0.0 : sum[f] - part.sum[f];
  }
}

double EventCounters::Mean(EventField field) const {
  int f = static_cast<int>(field);
  if (present[f] == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum[f] / present[f];
}

}  // namespace inferscope
