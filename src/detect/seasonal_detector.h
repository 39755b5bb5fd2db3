#ifndef INFERSCOPE_DETECT_SEASONAL_DETECTOR_H_
#define INFERSCOPE_DETECT_SEASONAL_DETECTOR_H_

#include <array>
#include <cstdint>
#include <memory>

#include "core/clock.h"
#include "detect/series_detector.h"
#include "stats/rolling_median.h"
#include "stats/seasonal_profile.h"
#include "stats/seasonality_finder.h"

namespace inferscope {

struct SeasonalOptions {
  // Profile bucket width and the seasonality finder's bin (1 hour: hour-of-day and
  // hour-of-week profiles).
  int64_t bin_ns = kNanosPerHour;
  // Candidate periods (each a multiple of bin_ns, at most 4, at most 1024 bins); unused
  // slots are 0.
  std::array<int64_t, 4> periods = {kNanosPerDay, 7 * kNanosPerDay, 0, 0};
  // Bins of history the finder keeps: >= 2 * the longest period in bins to ever pick it
  // (336 = two weeks of hours).
  uint32_t history_bins = 336;
  // Autocorrelation the finder needs at the period (and above the one at half the period).
  double min_acf = 0.3;
  // |deviation from the profile| in robust sigma at which the detector fires.
  double threshold = 4.0;
  // Profile memory: a bucket's weight on old periods halves every half_life_periods periods.
  double half_life_periods = 3;
  // Rolling median/MAD window of the fallback baseline (used until a period is found).
  uint32_t fallback_window = 32;
  Direction direction = Direction::kBoth;
  // Deviations |x - expected| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring (on the fallback baseline); >= 3.
  uint32_t min_points = 30;

  Status Validate() const;
};

// Seasonal deviation: a value far from what this time of day (or week) usually looks like,
// e.g. night-time traffic at day-time levels, or a dip at the daily peak that a rolling
// baseline would call normal.
//
// A SeasonalityFinder watches hourly bin means and picks the period (1 day, 1 week, or none)
// by autocorrelation. Once it picks one, a SeasonalProfile of that period (hour-of-day: 24
// buckets, hour-of-week: 168) is seeded from the finder's history and then learns online
// (Huber-clipped LMS; see stats/seasonal_profile.h). The expected value is the profile,
// interpolated between hours; sigma is the bucket's residual sd, floored at 0.7 x the local
// noise level (an EWMA of |first differences|, which smooth seasonality does not inflate).
// Until a period is found -- and for series without one -- it falls back to a rolling
// median/MAD robust z (same noise floor). Native statistic: |x - expected| / sigma, divided by
// threshold. expected and band = expected +- threshold * sigma from whichever baseline scored.
// Cost: O(log W) per point plus O(candidates * history_bins) once per bin. State with the
// defaults ~3.8 KiB (finder 1.3 KiB, profile 1.7 KiB, fallback 0.5 KiB); a daily-only
// configuration (periods=1d history_bins=48) ~1.2 KiB.
class SeasonalDetector final : public SeriesDetector {
 public:
  explicit SeasonalDetector(const SeasonalOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "seasonal"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

  // The period in use, in bins of bin_ns; 0 while on the fallback baseline.
  uint32_t period_bins() const { return period_; }

 private:
  void Adopt(uint32_t period);
  void UpdateAlpha();
  double NoiseSigma() const;
  void Clear();

  SeasonalOptions options_;
  uint64_t seen_ = 0;
  uint32_t period_ = 0;
  double alpha_ = 0;
  // Local noise level: EWMA of |x - previous x|.
  double prev_ = 0;
  double abs_diff_ = 0;
  uint64_t diffs_ = 0;
  SeasonalityFinder finder_;
  SeasonalProfile profile_;
  RollingMedian fallback_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_SEASONAL_DETECTOR_H_
