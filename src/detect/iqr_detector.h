#ifndef INFERSCOPE_DETECT_IQR_DETECTOR_H_
#define INFERSCOPE_DETECT_IQR_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_median.h"

namespace inferscope {

struct IqrOptions {
  // Quartiles of the last `window` points (4..1024).
  uint32_t window = 64;
  // Tukey fence multiplier: fires beyond Q3 + k * IQR or below Q1 - k * IQR. 1.5 is Tukey's
  // "outside" (noisy on normal data: ~0.7% of points), 3 his "far out" (~2 per million).
  double k = 3.0;
  Direction direction = Direction::kBoth;
  // Deviations |x - median| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring; >= 4.
  uint32_t min_points = 30;

  Status Validate() const;
};

// Tukey fences on rolling quartiles. Distribution-free, asymmetric when the window is skewed
// (latency: the upper fence sits further out), robust to outliers already in the window.
// Native statistic: distance beyond the nearer quartile in IQRs, divided by k (so 1 = on the
// fence). expected = median, band = [Q1 - k * IQR, Q3 + k * IQR].
// O(log W + rank change) per point; state: 16 * window bytes + ~80.
class IqrDetector final : public SeriesDetector {
 public:
  explicit IqrDetector(const IqrOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "iqr"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  IqrOptions options_;
  uint64_t seen_ = 0;
  RollingMedian window_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_IQR_DETECTOR_H_
