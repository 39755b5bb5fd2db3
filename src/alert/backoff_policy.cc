#include "alert/backoff_policy.h"

#include <algorithm>
#include <cmath>

namespace inferscope {

int64_t BackoffPolicy::CeilingNs(int failures) const {
  const int64_t cap = std::max<int64_t>(max_ns, 0);
  int64_t ceiling = std::max<int64_t>(initial_ns, 0);
  for (int i = 1; i < failures && ceiling < cap; ++i) {
    ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
  }
  return std::min(ceiling, cap);
}

int64_t BackoffPolicy::DelayNs(int failures, double u) const {
  if (!(u > 0)) return 0;  // also NaN
  u = std::min(u, 1.0);
  return static_cast<int64_t>(std::floor(u * static_cast<double>(CeilingNs(failures))));
}

}  // namespace inferscope
