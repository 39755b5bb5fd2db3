#include "detect/band_detector.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("bnd1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status BandOptions::Validate() const {
  if (window < 2 || window > 65536) {
    return Status::InvalidArgument("band: window must be in [2, 65536]");
  }
  if (!(k > 0)) return Status::InvalidArgument("band: k must be > 0");
  if (consecutive < 1 || consecutive > BandDetector::kMaxConsecutive) {
    return Status::InvalidArgument("band: consecutive must be in [1, 16]");
  }
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("band: min_abs_deviation must be >= 0");
  }
  if (min_points < 2) return Status::InvalidArgument("band: min_points must be >= 2");
  return Status::Ok();
}

BandDetector::BandDetector(const BandOptions& options)
    : options_(options), window_(options.window) {}

DetectorOutput BandDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    const double mean = window_.mean();
    const double sd = window_.stddev();
    const double dev = value - mean;
    const double excursion = dev / (options_.k * FloorSigma(sd, mean));
    recent_[recent_head_] = static_cast<float>(
        std::clamp(excursion, -static_cast<double>(FLT_MAX), static_cast<double>(FLT_MAX)));
    recent_head_ = recent_head_ + 1 == options_.consecutive ? 0 : recent_head_ + 1;
    // The weakest same-side excursion of the run; slots not yet written are 0.
    double weakest = std::fabs(excursion);
    for (uint32_t i = 0; i < options_.consecutive; ++i) {
      const double r = dev > 0 ? recent_[i] : -recent_[i];
      weakest = std::min(weakest, std::max(r, 0.0));
    }
    const double half_band = options_.k * sd;
    out = ScoreDeviation(dev, weakest, options_.direction, options_.min_abs_deviation, mean,
                         mean - half_band, mean + half_band);
  }
  window_.Push(value);
  ++seen_;
  return out;
}

size_t BandDetector::StateBytes() const {
  return sizeof(*this) + (window_.StateBytes() - sizeof(window_));
}

void BandDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U64(seen_);
  window_.Save(out);
  out.U32(recent_head_);
  for (uint32_t i = 0; i < options_.consecutive; ++i) out.F32(recent_[i]);
}

Status BandDetector::Load(StateReader& in) {
  Status st = ReadStateHeader(in, kTag, kVersion);
  if (st.ok()) st = in.U64(&seen_);
  if (st.ok()) st = window_.Load(in);
  if (st.ok()) st = in.U32(&recent_head_);
  if (st.ok() && recent_head_ >= options_.consecutive) {
    st = Status::DataLoss("band: detector state is inconsistent");
  }
  for (uint32_t i = 0; st.ok() && i < options_.consecutive; ++i) st = in.F32(&recent_[i]);
  if (!st.ok()) Clear();
  return st;
}

void BandDetector::Clear() {
  seen_ = 0;
  window_.Clear();
  recent_.fill(0);
  recent_head_ = 0;
}

std::unique_ptr<SeriesDetector> BandDetector::CloneEmpty() const {
  return std::make_unique<BandDetector>(options_);
}

}  // namespace inferscope
