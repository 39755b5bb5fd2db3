#include "insight/share_shift.h"

#include <fmt/format.h>

#include <cmath>

namespace inferscope {

void FindShareShifts(std::string_view dimension, const ShareSide& window, const ShareSide& baseline,
                     std::vector<ShareShift>* out, const ShareShiftOptions& options) {
  if (window.values == nullptr || window.requests == 0 || baseline.requests == 0) return;
  const auto wn = static_cast<double>(window.requests);
  const auto bn = static_cast<double>(baseline.requests);
  for (const auto& [value, rc] : *window.values) {
    double share_w = static_cast<double>(rc.requests) / wn;
    double share_b = 0, cost_share_b = 0;
    if (baseline.values != nullptr) {
      auto it = baseline.values->find(value);
      if (it != baseline.values->end()) {
        share_b = static_cast<double>(it->second.requests) / bn;
        cost_share_b = baseline.cost > 0 ? it->second.cost / baseline.cost : 0;
      }
    }
    double cost_share_w = window.cost > 0 ? rc.cost / window.cost : 0;
    double req_shift = 100 * (share_w - share_b);
    double cost_shift = 100 * (cost_share_w - cost_share_b);
    // A share shift counts only if a two-proportion z-test says it is not sampling noise,
    // so a handful of requests cannot produce a "finding".
    double pooled = (share_w * wn + share_b * bn) / (wn + bn);
    double se = std::sqrt(pooled * (1 - pooled) * (1.0 / wn + 1.0 / bn));
    bool significant = se > 0 && std::fabs(share_w - share_b) / se >= options.min_abs_z;
    ShareShift s;
    if (req_shift >= options.min_points && significant) {
      s.of_cost = false;
      s.baseline_share = share_b;
      s.window_share = share_w;
      s.points = req_shift;
    } else if (cost_shift >= options.min_points &&
               window.requests >= options.min_requests_for_cost &&
               baseline.requests >= options.min_requests_for_cost) {
      s.of_cost = true;
      s.baseline_share = cost_share_b;
      s.window_share = cost_share_w;
      s.points = cost_shift;
    } else {
      continue;
    }
    s.dimension = std::string(dimension);
    s.value = value;
    s.text =
        fmt::format("{} '{}' went from {:.0f}% to {:.0f}% of {}", dimension, value,
                    100 * s.baseline_share, 100 * s.window_share, s.of_cost ? "cost" : "requests");
    out->push_back(std::move(s));
  }
}

}  // namespace inferscope
