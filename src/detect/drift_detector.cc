#include "detect/drift_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("drf1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status DriftOptions::Validate() const {
  if (blocks < 3 || blocks > RobustSlope::kMaxBlocks) {
    return Status::InvalidArgument("drift: blocks must be in [3, 32]");
  }
  if (window < blocks || window > 10'000'000) {
    return Status::InvalidArgument("drift: window must be in [blocks, 10M]");
  }
  if (!(threshold > 0)) return Status::InvalidArgument("drift: threshold must be > 0");
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("drift: min_abs_deviation must be >= 0");
  }
  return Status::Ok();
}

DriftDetector::DriftDetector(const DriftOptions& options)
    : options_(options),
      slope_(std::clamp<uint32_t>(options.blocks, 3, RobustSlope::kMaxBlocks),
             std::max<uint32_t>(1, options.window / std::max<uint32_t>(options.blocks, 1))) {}

DetectorOutput DriftDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(!slope_.ready());
  slope_.Add(value);
  if (!slope_.ready()) return QuietOutput(true);
  const double start = slope_.fitted_oldest();
  const double change = slope_.fitted_newest() - start;
  const double level = FloorSigma(std::fabs(start), 0);
  const double half_band = options_.threshold * std::fabs(start);
  return ScoreDeviation(change, change / level / options_.threshold, options_.direction,
                        options_.min_abs_deviation, start, start - half_band, start + half_band);
}

void DriftDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  slope_.Save(out);
}

Status DriftDetector::Load(StateReader& in) {
  Status st = ReadStateHeader(in, kTag, kVersion);
  if (st.ok()) st = slope_.Load(in);
  if (!st.ok()) slope_.Clear();
  return st;
}

std::unique_ptr<SeriesDetector> DriftDetector::CloneEmpty() const {
  return std::make_unique<DriftDetector>(options_);
}

}  // namespace inferscope
