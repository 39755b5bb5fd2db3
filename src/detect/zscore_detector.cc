#include "detect/zscore_detector.h"

#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("zsc1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status ZScoreOptions::Validate() const {
  if (half_life <= 0 && (window < 2 || window > 65536)) {
    return Status::InvalidArgument("zscore: window must be in [2, 65536]");
  }
  if (half_life < 0 || std::isnan(half_life)) {
    return Status::InvalidArgument("zscore: half_life must be >= 0");
  }
  if (!(threshold > 0)) return Status::InvalidArgument("zscore: threshold must be > 0");
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("zscore: min_abs_deviation must be >= 0");
  }
  if (min_points < 2) return Status::InvalidArgument("zscore: min_points must be >= 2");
  return Status::Ok();
}

ZScoreDetector::ZScoreDetector(const ZScoreOptions& options)
    : options_(options),
      window_(options.half_life > 0 ? 1 : options.window),
      ewma_(options.half_life > 0 ? Ewma::AlphaFromHalfLife(options.half_life) : 1.0) {}

DetectorOutput ZScoreDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    const double mean = use_ewma() ? ewma_.mean() : window_.mean();
    const double sd = use_ewma() ? ewma_.stddev() : window_.stddev();
    const double sigma = FloorSigma(sd, mean);
    const double dev = value - mean;
    const double half_band = options_.threshold * sd;
    out = ScoreDeviation(dev, dev / sigma / options_.threshold, options_.direction,
                         options_.min_abs_deviation, mean, mean - half_band, mean + half_band);
  }
  if (use_ewma()) {
    ewma_.Add(value);
  } else {
    window_.Push(value);
  }
  ++seen_;
  return out;
}

size_t ZScoreDetector::StateBytes() const {
  return sizeof(*this) + (window_.StateBytes() - sizeof(window_));
}

void ZScoreDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U64(seen_);
  if (use_ewma()) {
    ewma_.Save(out);
  } else {
    window_.Save(out);
  }
}

Status ZScoreDetector::Load(StateReader& in) {
  Status st = ReadStateHeader(in, kTag, kVersion);
  if (st.ok()) st = in.U64(&seen_);
  if (st.ok()) st = use_ewma() ? ewma_.Load(in) : window_.Load(in);
  if (!st.ok()) Clear();
  return st;
}

void ZScoreDetector::Clear() {
  seen_ = 0;
  window_.Clear();
  ewma_.Reset();
}

std::unique_ptr<SeriesDetector> ZScoreDetector::CloneEmpty() const {
  return std::make_unique<ZScoreDetector>(options_);
}

}  // namespace inferscope
