#include "stats/event_counters.h"

#include <limits>

namespace inferscope {

double EventCounters::Mean(EventField field) const {
  int f = static_cast<int>(field);
  if (present[f] == 0) return std::numeric_limits<double>::quiet_NaN();
  return sum[f] / present[f];
}

}  // namespace inferscope
