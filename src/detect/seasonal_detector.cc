#include "detect/seasonal_detector.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "detect/detector_common.h"
#include "stats/robust_stats.h"

namespace inferscope {
namespace {

constexpr uint32_t kTag = StateTag("ssn1");
constexpr uint8_t kVersion = 1;
constexpr uint32_t kMaxPeriodBins = 1024;
constexpr double kClipSigmas = 3.0;
// sigma never goes below this fraction of the local noise level: a 32-point MAD or a
// bucket's variance can be far too small by chance, and that would be a false alarm.
constexpr double kNoiseFloor = 0.7;
// EWMA weight of the |first difference| noise estimate (half-life ~64 points).
constexpr double kNoiseAlpha = 0.0108;
// E|x_t - x_t-1| = 2 sigma / sqrt(pi) for white normal noise.
const double kAbsDiffToSigma = std::sqrt(std::numbers::pi) / 2;

std::array<uint32_t, 4> PeriodBins(const SeasonalOptions& o) {
  std::array<uint32_t, 4> bins{};
  for (size_t i = 0; i < o.periods.size(); ++i) {
    if (o.periods[i] > 0 && o.bin_ns > 0) bins[i] = static_cast<uint32_t>(o.periods[i] / o.bin_ns);
  }
  return bins;
}

uint32_t MaxPeriodBins(const SeasonalOptions& o) {
  const std::array<uint32_t, 4> bins = PeriodBins(o);
  return std::max<uint32_t>(1, *std::max_element(bins.begin(), bins.end()));
}

}  // namespace

Status SeasonalOptions::Validate() const {
  if (bin_ns <= 0) return Status::InvalidArgument("seasonal: bin must be > 0");
  bool any = false;
  for (int64_t p : periods) {
    if (p == 0) continue;
    any = true;
    if (p < 0 || p % bin_ns != 0 || p / bin_ns < 2 || p / bin_ns > kMaxPeriodBins) {
      return Status::InvalidArgument(
          "seasonal: each period must be a multiple of bin, 2 to 1024 bins long");
    }
  }
  if (!any) return Status::InvalidArgument("seasonal: periods is empty");
  if (history_bins < 4 || history_bins > 8192) {
    return Status::InvalidArgument("seasonal: history_bins must be in [4, 8192]");
  }
  if (!(min_acf > 0 && min_acf < 1)) {
    return Status::InvalidArgument("seasonal: min_acf must be in (0, 1)");
  }
  if (!(threshold > 0)) return Status::InvalidArgument("seasonal: threshold must be > 0");
  if (!(half_life_periods > 0)) {
    return Status::InvalidArgument("seasonal: half_life_periods must be > 0");
  }
  if (fallback_window < 3 || fallback_window > 1024) {
    return Status::InvalidArgument("seasonal: fallback_window must be in [3, 1024]");
  }
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("seasonal: min_abs_deviation must be >= 0");
  }
  if (min_points < 3) return Status::InvalidArgument("seasonal: min_points must be >= 3");
  return Status::Ok();
}

SeasonalDetector::SeasonalDetector(const SeasonalOptions& options)
    : options_(options),
      finder_(options.bin_ns, options.history_bins, PeriodBins(options), options.min_acf),
      profile_(std::min(MaxPeriodBins(options), kMaxPeriodBins)),
      fallback_(options.fallback_window) {}

double SeasonalDetector::NoiseSigma() const {
  return diffs_ == 0 ? 0 : abs_diff_ * kAbsDiffToSigma;
}

void SeasonalDetector::UpdateAlpha() {
  const double points_per_bucket = std::max(1.0, finder_.points_per_bin());
  alpha_ = 1.0 - std::exp2(-1.0 / (options_.half_life_periods * points_per_bucket));
}

void SeasonalDetector::Adopt(uint32_t period) {
  period_ = period;
  if (period == 0) {
    profile_.Reset(0, options_.bin_ns);
    return;
  }
  profile_.Reset(period, options_.bin_ns);
  const double noise = NoiseSigma();
  for (uint32_t b = 0; b < period; ++b) {
    profile_.Seed(b, finder_.PhaseMean(b, period), noise * noise);
  }
  UpdateAlpha();
}

DetectorOutput SeasonalDetector::Update(TimestampNs ts, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  if (finder_.Add(ts, value)) {
    if (finder_.period_bins() != period_) {
      Adopt(finder_.period_bins());
    } else if (period_ != 0) {
      UpdateAlpha();
    }
  }
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    double expected = std::nan("");
    double sigma = 0;
    if (period_ != 0) {
      const SeasonalProfile::Estimate e = profile_.At(ts);
      expected = e.mean;
      sigma = std::max(std::sqrt(e.variance), kNoiseFloor * NoiseSigma());
    }
    if (std::isnan(expected)) {
      expected = fallback_.median();
      sigma = std::max(kMadToSigma * fallback_.mad(), kNoiseFloor * NoiseSigma());
    }
    const double dev = value - expected;
    const double half_band = options_.threshold * sigma;
    out = ScoreDeviation(dev, dev / FloorSigma(sigma, expected) / options_.threshold,
                         options_.direction, options_.min_abs_deviation, expected,
                         expected - half_band, expected + half_band);
  }
  // Learn from the point after scoring it.
  if (seen_ > 0) {
    const double d = std::fabs(value - prev_);
    const double clipped = diffs_ > 16 ? std::min(d, 5 * abs_diff_) : d;
    ++diffs_;
    const double a = std::max(kNoiseAlpha, 1.0 / static_cast<double>(diffs_));
    abs_diff_ += a * (clipped - abs_diff_);
  }
  prev_ = value;
  fallback_.Push(value);
  if (period_ != 0) {
    const double noise = NoiseSigma();
    profile_.Update(ts, value, alpha_, kClipSigmas, noise * noise);
  }
  ++seen_;
  return out;
}

size_t SeasonalDetector::StateBytes() const {
  return sizeof(*this) + (finder_.StateBytes() - sizeof(finder_)) +
         (profile_.StateBytes() - sizeof(profile_)) + (fallback_.StateBytes() - sizeof(fallback_));
}

void SeasonalDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U64(seen_);
  out.U32(period_);
  out.F64(alpha_);
  out.F64(prev_);
  out.F64(abs_diff_);
  out.U64(diffs_);
  finder_.Save(out);
  profile_.Save(out);
  fallback_.Save(out);
}

Status SeasonalDetector::Load(StateReader& in) {
  Status st = ReadStateHeader(in, kTag, kVersion);
  if (st.ok()) st = in.U64(&seen_);
  if (st.ok()) st = in.U32(&period_);
  if (st.ok()) st = in.F64(&alpha_);
  if (st.ok()) st = in.F64(&prev_);
  if (st.ok()) st = in.F64(&abs_diff_);
  if (st.ok()) st = in.U64(&diffs_);
  if (st.ok()) st = finder_.Load(in);
  if (st.ok()) st = profile_.Load(in);
  if (st.ok()) st = fallback_.Load(in);
  if (st.ok() && period_ != profile_.buckets()) {
    st = Status::DataLoss("seasonal: detector state is inconsistent");
  }
  if (!st.ok()) Clear();
  return st;
}

void SeasonalDetector::Clear() {
  seen_ = 0;
  period_ = 0;
  alpha_ = 0;
  prev_ = abs_diff_ = 0;
  diffs_ = 0;
  finder_ = SeasonalityFinder(options_.bin_ns, options_.history_bins, PeriodBins(options_),
                              options_.min_acf);
  profile_.Reset(0, options_.bin_ns);
  fallback_.Clear();
}

std::unique_ptr<SeriesDetector> SeasonalDetector::CloneEmpty() const {
  return std::make_unique<SeasonalDetector>(options_);
}

}  // namespace inferscope
