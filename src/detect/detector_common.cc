#include "detect/detector_common.h"

#include <cmath>

namespace inferscope {

double ScoreFromRatio(double ratio) {
  if (!(ratio > 0.5)) return 0;
  if (std::isinf(ratio)) return 1;
  return 1.0 - std::exp2(1.0 - 2.0 * ratio);
}

DetectorOutput ScoreDeviation(double deviation, double ratio, Direction watch,
                              double min_abs_deviation, double expected, double lower,
                              double upper) {
  DetectorOutput out;
  out.learning = false;
  out.expected = expected;
  out.lower = lower;
  out.upper = upper;
  if (!(std::fabs(deviation) >= min_abs_deviation) || deviation == 0) return out;
  const Direction side = deviation > 0 ? Direction::kAbove : Direction::kBelow;
  if (watch != Direction::kBoth && watch != side) return out;
  out.score = ScoreFromRatio(std::fabs(ratio));
  if (out.score > 0) out.direction = side;
  return out;
}

DetectorOutput QuietOutput(bool learning) {
  DetectorOutput out;
  out.learning = learning;
  return out;
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kAbove:
      return "above";
    case Direction::kBelow:
      return "below";
    case Direction::kBoth:
      return "both";
  }
  return "both";
}

std::optional<Direction> DirectionByName(std::string_view name) {
  if (name == "above" || name == "up") return Direction::kAbove;
  if (name == "below" || name == "down") return Direction::kBelow;
  if (name == "both") return Direction::kBoth;
  return std::nullopt;
}

void WriteStateHeader(StateWriter& w, uint32_t tag, uint8_t version) {
  w.U32(tag);
  w.U8(version);
}

Status ReadStateHeader(StateReader& r, uint32_t tag, uint8_t version) {
  uint32_t got_tag = 0;
  uint8_t got_version = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&got_tag));
  INFERSCOPE_RETURN_IF_ERROR(r.U8(&got_version));
  if (got_tag != tag) return Status::InvalidArgument("detector state is for another detector");
  if (got_version != version) {
    return Status::InvalidArgument("detector state has an unknown format version");
  }
  return Status::Ok();
}

double FloorSigma(double sigma, double level) {
  const double floor = std::fmax(1e-9 * std::fabs(level), 1e-300);
  return sigma > floor ? sigma : floor;
}

}  // namespace inferscope
