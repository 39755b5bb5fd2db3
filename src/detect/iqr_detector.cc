#include "detect/iqr_detector.h"

#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("iqr1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status IqrOptions::Validate() const {
  if (window < 4 || window > 1024) {
    return Status::InvalidArgument("iqr: window must be in [4, 1024]");
  }
  if (!(k > 0)) return Status::InvalidArgument("iqr: k must be > 0");
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("iqr: min_abs_deviation must be >= 0");
  }
  if (min_points < 4) return Status::InvalidArgument("iqr: min_points must be >= 4");
  return Status::Ok();
}

IqrDetector::IqrDetector(const IqrOptions& options) : options_(options), window_(options.window) {}

DetectorOutput IqrDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    const double q1 = window_.quantile(0.25);
    const double median = window_.median();
    const double q3 = window_.quantile(0.75);
    const double iqr = q3 - q1;
    const double fence = options_.k * FloorSigma(iqr, median);
    double beyond = 0;
    if (value > q3) {
      beyond = value - q3;
    } else if (value < q1) {
      beyond = q1 - value;
    }
    out = ScoreDeviation(value - median, beyond / fence, options_.direction,
                         options_.min_abs_deviation, median, q1 - options_.k * iqr,
                         q3 + options_.k * iqr);
  }
  window_.Push(value);
  ++seen_;
  return out;
}

size_t IqrDetector::StateBytes() const {
  return sizeof(*this) + (window_.StateBytes() - sizeof(window_));
}

void IqrDetector::Save(StateWriter& out) const {
  SaveCountedWindow(out, kTag, kVersion, seen_, window_);
}

Status IqrDetector::Load(StateReader& in) {
  Status st = LoadCountedWindow(in, kTag, kVersion, &seen_, &window_);
  if (!st.ok()) {
    seen_ = 0;
    window_.Clear();
  }
  return st;
}

std::unique_ptr<SeriesDetector> IqrDetector::CloneEmpty() const {
  return std::make_unique<IqrDetector>(options_);
}

}  // namespace inferscope
