#include "detect/ratio_to_baseline_rule.h"

#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("rtb1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status RatioToBaselineOptions::Validate() const {
  if (!(k > 1)) return Status::InvalidArgument("ratio_to_baseline: k must be > 1");
  if (window < 1) return Status::InvalidArgument("ratio_to_baseline: window must be >= 1");
  if (min_points < 1 || min_points > window) {
    return Status::InvalidArgument("ratio_to_baseline: min_points must be in [1, window]");
  }
  if (direction == Direction::kBoth) {
    return Status::InvalidArgument("ratio_to_baseline: direction must be above or below");
  }
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("ratio_to_baseline: min_abs_deviation must be >= 0");
  }
  return Status::Ok();
}

RatioToBaselineRule::RatioToBaselineRule(const RatioToBaselineOptions& options)
    : options_(options), window_(options.window) {}

DetectorOutput RatioToBaselineRule::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(window_.size() < options_.min_points);
  DetectorOutput out;
  if (window_.size() < options_.min_points) {
    out = QuietOutput(true);
  } else {
    const double base = window_.mean();
    const double k = options_.k;
    double ratio;
    if (options_.direction == Direction::kAbove) {
      ratio = base > 0 ? value / (k * base) : (value > 0 ? INFINITY : 0);
    } else {
      ratio = value > 0 ? base / (k * value) : (base > 0 ? INFINITY : 0);
    }
    out = ScoreDeviation(value - base, ratio, options_.direction, options_.min_abs_deviation, base,
                         base / k, base * k);
  }
  window_.Push(value);
  return out;
}

void RatioToBaselineRule::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  window_.Save(out);
}

Status RatioToBaselineRule::Load(StateReader& in) {
  INFERSCOPE_RETURN_IF_ERROR(ReadStateHeader(in, kTag, kVersion));
  return window_.Load(in);
}

std::unique_ptr<SeriesDetector> RatioToBaselineRule::CloneEmpty() const {
  return std::make_unique<RatioToBaselineRule>(options_);
}

}  // namespace inferscope
