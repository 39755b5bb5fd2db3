#include "detect/robust_z_detector.h"

#include <cmath>

#include "detect/detector_common.h"
#include "stats/robust_stats.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("rbz1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status RobustZOptions::Validate() const {
  if (window < 2 || window > 1024) {
    return Status::InvalidArgument("robust_z: window must be in [2, 1024]");
  }
  if (!(threshold > 0)) return Status::InvalidArgument("robust_z: threshold must be > 0");
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("robust_z: min_abs_deviation must be >= 0");
  }
  if (min_points < 3) return Status::InvalidArgument("robust_z: min_points must be >= 3");
  return Status::Ok();
}

RobustZDetector::RobustZDetector(const RobustZOptions& options)
    : options_(options), window_(options.window) {}

DetectorOutput RobustZDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    const double median = window_.median();
    const double scale = kMadToSigma * window_.mad();
    const double sigma = FloorSigma(scale, median);
    const double dev = value - median;
    const double half_band = options_.threshold * scale;
    out =
        ScoreDeviation(dev, dev / sigma / options_.threshold, options_.direction,
                       options_.min_abs_deviation, median, median - half_band, median + half_band);
  }
  window_.Push(value);
  ++seen_;
  return out;
}

size_t RobustZDetector::StateBytes() const {
  return sizeof(*this) + (window_.StateBytes() - sizeof(window_));
}

void RobustZDetector::Save(StateWriter& out) const {
  SaveCountedWindow(out, kTag, kVersion, seen_, window_);
}

Status RobustZDetector::Load(StateReader& in) {
  Status st = LoadCountedWindow(in, kTag, kVersion, &seen_, &window_);
  if (!st.ok()) {
    seen_ = 0;
    window_.Clear();
  }
  return st;
}

std::unique_ptr<SeriesDetector> RobustZDetector::CloneEmpty() const {
  return std::make_unique<RobustZDetector>(options_);
}

}  // namespace inferscope
