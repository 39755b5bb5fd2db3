#ifndef INFERSCOPE_DETECT_ZSCORE_DETECTOR_H_
#define INFERSCOPE_DETECT_ZSCORE_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/ewma.h"
#include "stats/rolling_window.h"

namespace inferscope {

struct ZScoreOptions {
  // Baseline: mean and standard deviation of the last `window` points, or, when
  // half_life > 0, an EWMA mean/variance with that half-life in points (window ignored).
  uint32_t window = 64;
  double half_life = 0;
  // |z| at which the detector fires (score 0.5).
  double threshold = 3.0;
  Direction direction = Direction::kBoth;
  // Deviations |x - mean| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring (learning until then); >= 2.
  uint32_t min_points = 30;

  Status Validate() const;
};

// Classic z-score: z = (x - mean) / sd of the preceding points; fires at |z| >= threshold.
// Catches spikes and dips on a roughly stationary, roughly normal series; every point
// (anomalous or not) enters the baseline, so a spike also inflates sd for a window.
// expected = mean, band = mean +- threshold * sd. O(1) per point; state: 8 * window bytes plus
// ~100 (window mode) or ~100 bytes (EWMA mode).
class ZScoreDetector final : public SeriesDetector {
 public:
  explicit ZScoreDetector(const ZScoreOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "zscore"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  bool use_ewma() const { return options_.half_life > 0; }
  void Clear();

  ZScoreOptions options_;
  uint64_t seen_ = 0;
  RollingWindow window_;
  Ewma ewma_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ZSCORE_DETECTOR_H_
