#ifndef INFERSCOPE_INSIGHT_SHARE_SHIFT_H_
#define INFERSCOPE_INSIGHT_SHARE_SHIFT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace inferscope {

// Requests and cost of one categorical value (a user, a task type, ...) in one period.
struct ShareCount {
  uint64_t requests = 0;
  double cost = 0;
};
using ShareCounts = std::map<std::string, ShareCount, std::less<>>;

// One period's counts for one dimension. `requests` counts every request of the period
// (also those without a value for this dimension); `cost` is the cost total the cost shares
// are taken of.
struct ShareSide {
  const ShareCounts* values = nullptr;
  uint64_t requests = 0;
  double cost = 0;
};

// A value that gained share of requests or of cost between a baseline and a window.
struct ShareShift {
  std::string dimension;
  std::string value;
  bool of_cost = false;       // share of cost (else of requests)
  double baseline_share = 0;  // [0, 1]
  double window_share = 0;    // [0, 1]
  double points = 0;          // 100 x (window_share - baseline_share)
  std::string text;           // "user 'u1' went from 6% to 61% of cost"
};

struct ShareShiftOptions {
  double min_points = 10;  // a share must grow by at least this many percentage points
  double min_abs_z = 3;    // two-proportion z-test on the request shares
  // Cost shares of fewer requests than this (on either side) are too noisy to call a shift.
  uint64_t min_requests_for_cost = 30;
};

// Appends to `out`, in value order, each value of `window` whose share of requests grew by
// `min_points` with a significant two-proportion z-test (|z| >= min_abs_z), or else whose
// share of cost grew by `min_points` with at least `min_requests_for_cost` requests on both
// sides. Counts must be the ones actually observed (sampled counts when sampling), so the
// z-test stays honest. Shares are ratios, so a uniform sampling rate cancels out of them.
void FindShareShifts(std::string_view dimension, const ShareSide& window, const ShareSide& baseline,
                     std::vector<ShareShift>* out, const ShareShiftOptions& options = {});

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SHARE_SHIFT_H_
