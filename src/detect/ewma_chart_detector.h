#ifndef INFERSCOPE_DETECT_EWMA_CHART_DETECTOR_H_
#define INFERSCOPE_DETECT_EWMA_CHART_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/ewma.h"

namespace inferscope {

struct EwmaChartOptions {
  // Smoothing of the chart statistic Z = lambda * x + (1 - lambda) * Z, in (0, 1].
  // Small lambda (0.05-0.2) catches small persistent shifts; 1 is a Shewhart chart.
  double lambda = 0.2;
  // Control limits at +- sigma_limit * sigma_Z (Montgomery's L).
  double sigma_limit = 3.0;
  // The in-control mean and sd are an EWMA with this half-life in points, fed with values
  // winsorised to +-3 sd so incidents bend it slowly.
  double baseline_half_life = 256;
  Direction direction = Direction::kBoth;
  // Chart deviations |Z - mean| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points of plain mean/variance before the chart starts; >= 2.
  uint32_t min_points = 30;

  Status Validate() const;
};

// EWMA control chart (Roberts 1959; Montgomery, Introduction to SQC, 9.2) with time-varying
// limits sigma_Z = sigma * sqrt(lambda / (2 - lambda) * (1 - (1 - lambda)^(2t))).
// Catches small-to-medium sustained shifts sooner than a z-score, and smooths single-point
// noise. Native statistic: |Z - mean| / (sigma_limit * sigma_Z).
// expected = in-control mean; lower/upper = the control limits for Z (not for single points).
// O(1) per point; state ~100 bytes.
class EwmaChartDetector final : public SeriesDetector {
 public:
  explicit EwmaChartDetector(const EwmaChartOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "ewma_chart"; }
  size_t StateBytes() const override { return sizeof(*this); }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  void Clear();

  EwmaChartOptions options_;
  uint64_t seen_ = 0;
  Ewma baseline_;
  double z_ = 0;
  double decay_ = 1;  // (1 - lambda)^(2t)
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_EWMA_CHART_DETECTOR_H_
