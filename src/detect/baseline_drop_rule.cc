#include "detect/baseline_drop_rule.h"

#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("bdr1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status BaselineDropOptions::Validate() const {
  if (!(max_drop_abs >= 0)) return Status::InvalidArgument("baseline_drop: max_drop_abs < 0");
  if (max_drop_abs == 0 && !(max_drop_pct > 0 && max_drop_pct < 100)) {
    return Status::InvalidArgument("baseline_drop: max_drop_pct must be in (0, 100)");
  }
  if (window < 1 || min_points < 1 || min_points > window) {
    return Status::InvalidArgument("baseline_drop: need 1 <= min_points <= window");
  }
  return Status::Ok();
}

BaselineDropRule::BaselineDropRule(const BaselineDropOptions& options)
    : options_(options), window_(options.window) {}

DetectorOutput BaselineDropRule::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(window_.size() < options_.min_points);
  DetectorOutput out;
  if (window_.size() < options_.min_points) {
    out = QuietOutput(true);
  } else {
    const double base = window_.mean();
    const double allowed = options_.max_drop_abs > 0
                               ? options_.max_drop_abs
                               : std::fabs(base) * options_.max_drop_pct / 100.0;
    const double drop = base - value;
    const double ratio = allowed > 0 ? drop / allowed : (drop > 0 ? INFINITY : 0);
    out = ScoreDeviation(value - base, ratio, Direction::kBelow, 0, base, base - allowed, NAN);
  }
  window_.Push(value);
  return out;
}

void BaselineDropRule::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  window_.Save(out);
}

Status BaselineDropRule::Load(StateReader& in) {
  INFERSCOPE_RETURN_IF_ERROR(ReadStateHeader(in, kTag, kVersion));
  return window_.Load(in);
}

std::unique_ptr<SeriesDetector> BaselineDropRule::CloneEmpty() const {
  return std::make_unique<BaselineDropRule>(options_);
}

}  // namespace inferscope
