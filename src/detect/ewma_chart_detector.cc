#include "detect/ewma_chart_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("ewc1");
constexpr uint8_t kVersion = 1;
constexpr double kWinsorSigmas = 3.0;
}  // namespace

Status EwmaChartOptions::Validate() const {
  if (!(lambda > 0 && lambda <= 1)) {
    return Status::InvalidArgument("ewma_chart: lambda must be in (0, 1]");
  }
  if (!(sigma_limit > 0)) return Status::InvalidArgument("ewma_chart: sigma_limit must be > 0");
  if (!(baseline_half_life >= 1)) {
    return Status::InvalidArgument("ewma_chart: baseline_half_life must be >= 1");
  }
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("ewma_chart: min_abs_deviation must be >= 0");
  }
  if (min_points < 2) return Status::InvalidArgument("ewma_chart: min_points must be >= 2");
  return Status::Ok();
}

EwmaChartDetector::EwmaChartDetector(const EwmaChartOptions& options)
    : options_(options), baseline_(Ewma::AlphaFromHalfLife(options.baseline_half_life)) {}

DetectorOutput EwmaChartDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  ++seen_;
  if (seen_ <= options_.min_points) {
    baseline_.Add(value);
    if (seen_ == options_.min_points) {
      z_ = baseline_.mean();
      decay_ = 1;
    }
    return QuietOutput(true);
  }
  const double lambda = options_.lambda;
  const double mean = baseline_.mean();
  const double sd = baseline_.stddev();
  z_ = lambda * value + (1 - lambda) * z_;
  decay_ *= (1 - lambda) * (1 - lambda);
  const double sigma_z = sd * std::sqrt(lambda / (2 - lambda) * (1 - decay_));
  const double limit = options_.sigma_limit * sigma_z;
  const double dev = z_ - mean;
  const DetectorOutput out = ScoreDeviation(
      dev, dev / (options_.sigma_limit * FloorSigma(sigma_z, mean)), options_.direction,
      options_.min_abs_deviation, mean, mean - limit, mean + limit);
  const double clip = kWinsorSigmas * sd;
  baseline_.Add(sd > 0 ? std::clamp(value, mean - clip, mean + clip) : value);
  return out;
}

void EwmaChartDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U64(seen_);
  baseline_.Save(out);
  out.F64(z_);
  out.F64(decay_);
}

Status EwmaChartDetector::Load(StateReader& in) {
  Status st = ReadStateHeader(in, kTag, kVersion);
  if (st.ok()) st = in.U64(&seen_);
  if (st.ok()) st = baseline_.Load(in);
  if (st.ok()) st = in.F64(&z_);
  if (st.ok()) st = in.F64(&decay_);
  if (!st.ok()) Clear();
  return st;
}

void EwmaChartDetector::Clear() {
  seen_ = 0;
  baseline_.Reset();
  z_ = 0;
  decay_ = 1;
}

std::unique_ptr<SeriesDetector> EwmaChartDetector::CloneEmpty() const {
  return std::make_unique<EwmaChartDetector>(options_);
}

}  // namespace inferscope
