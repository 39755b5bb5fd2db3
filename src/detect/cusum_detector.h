#ifndef INFERSCOPE_DETECT_CUSUM_DETECTOR_H_
#define INFERSCOPE_DETECT_CUSUM_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_median.h"

namespace inferscope {

struct CusumOptions {
  // Reference level and scale: median and 1.4826 * MAD of the last `window` points (3..1024).
  // 128 rather than 64: the CUSUM integrates the baseline's estimation error, and a 64-point
  // MAD that is 20% low for a while turns into false alarms.
  uint32_t window = 128;
  // Allowance (slack) in sigma: about half the smallest shift worth catching.
  double k = 0.5;
  // Decision interval in sigma: fires when a cumulative sum reaches h. With k = 0.5, h = 8
  // a 1.5-sigma shift is caught after ~9 points, 1 sigma after ~18, and flat normal noise
  // alarms about once per 10k points (Siegmund's approximation, two-sided); the textbook
  // h = 5 alarms every ~470 points, several times a day on per-minute series.
  double h = 8.0;
  Direction direction = Direction::kBoth;
  // What a sum that reached h does next. false (the default): reset to 0, the textbook
  // scheme; a lasting shift alarms every few points with quiet points between, so behind an
  // alert's pending period (AnomalyTracker, which drops a pending incident at a quiet point)
  // the CUSUM only confirms what another detector already sees. true: held at h, so it
  // scores >= 0.5 on every later point that still adds to it and falls below as soon as
  // points come back: a lasting shift is one uninterrupted alarm that fires on its own.
  // Holding also keeps noise excursions alive a little longer (on the incident benchmark,
  // holding in the latency ensembles too raised false positives from 6 to 16 in 80 days).
  bool hold = false;
  // Estimated shift sizes (k * sigma + mean excess since the sum started) below this (in the
  // series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring; >= 3.
  uint32_t min_points = 30;

  Status Validate() const;
};

// Two-sided tabular CUSUM (Page 1954; Montgomery 9.1) for level shifts, standardised by a
// robust rolling baseline: S+ = max(0, S+ + z - k), S- = max(0, S- - z - k) with
// z = (x - median) / (1.4826 * MAD). A sum that reaches h fires and is held at h (or reset
// to 0 with hold = false), so a persisting shift keeps firing until the rolling baseline
// has absorbed it (about window / 2 points). Native statistic: S / h on the larger watched
// side.
// expected = median, band = median +- (k + h) * sigma (a single point beyond it fires alone).
// O(log W + rank change) per point; state: 16 * window bytes + ~120 (2.1 KiB by default).
class CusumDetector final : public SeriesDetector {
 public:
  explicit CusumDetector(const CusumOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "cusum"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  void Clear();

  CusumOptions options_;
  uint64_t seen_ = 0;
  RollingMedian window_;
  double s_hi_ = 0;
  double s_lo_ = 0;
  uint32_t n_hi_ = 0;  // points since S+ was last 0
  uint32_t n_lo_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_CUSUM_DETECTOR_H_
