#include "detect/threshold_rule.h"

#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("thr1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status ThresholdOptions::Validate() const {
  if (!std::isfinite(threshold)) return Status::InvalidArgument("threshold: must be finite");
  if (direction == Direction::kBoth) {
    return Status::InvalidArgument("threshold: direction must be above or below");
  }
  if (direction == Direction::kBelow && !(threshold > 0)) {
    return Status::InvalidArgument("threshold: with direction below, threshold must be > 0");
  }
  return Status::Ok();
}

DetectorOutput ThresholdRule::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(false);
  const double t = options_.threshold;
  DetectorOutput out = QuietOutput(false);
  out.expected = t;
  double ratio;
  if (options_.direction == Direction::kAbove) {
    out.upper = t;
    ratio = t > 0 ? value / t : (value >= t ? INFINITY : 0);
  } else {
    out.lower = t;
    if (options_.ignore_zero && value <= 0) return out;
    ratio = value > 0 ? t / value : INFINITY;
  }
  out.score = ScoreFromRatio(ratio);
  if (out.score > 0) out.direction = options_.direction;
  return out;
}

void ThresholdRule::Save(StateWriter& out) const { WriteStateHeader(out, kTag, kVersion); }

Status ThresholdRule::Load(StateReader& in) { return ReadStateHeader(in, kTag, kVersion); }

std::unique_ptr<SeriesDetector> ThresholdRule::CloneEmpty() const {
  return std::make_unique<ThresholdRule>(options_);
}

}  // namespace inferscope
