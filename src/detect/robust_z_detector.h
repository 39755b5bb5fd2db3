#ifndef INFERSCOPE_DETECT_ROBUST_Z_DETECTOR_H_
#define INFERSCOPE_DETECT_ROBUST_Z_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_median.h"

namespace inferscope {

struct RobustZOptions {
  // Baseline: median and MAD of the last `window` points (2..1024; 64 is a good default,
  // memory is 16 bytes per point).
  uint32_t window = 64;
  // |robust z| at which the detector fires (score 0.5); 3.5 is Iglewicz & Hoaglin's cut-off.
  double threshold = 3.5;
  Direction direction = Direction::kBoth;
  // Deviations |x - median| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring; >= 3.
  uint32_t min_points = 30;

  Status Validate() const;
};

// Robust z-score: z = (x - median) / (1.4826 * MAD) over the preceding `window` points.
// Catches spikes and dips even when the window already holds a few outliers (breakdown
// point 50%), on skewed series like latency. When MAD is 0 (a flat or integer-valued
// series) any deviation has an infinite z: set min_abs_deviation for such series.
// expected = median, band = median +- threshold * 1.4826 * MAD.
// O(log W + rank change) per point; state: 16 * window bytes + ~80.
class RobustZDetector final : public SeriesDetector {
 public:
  explicit RobustZDetector(const RobustZOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "robust_z"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  RobustZOptions options_;
  uint64_t seen_ = 0;
  RollingMedian window_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ROBUST_Z_DETECTOR_H_
