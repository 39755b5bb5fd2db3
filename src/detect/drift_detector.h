#ifndef INFERSCOPE_DETECT_DRIFT_DETECTOR_H_
#define INFERSCOPE_DETECT_DRIFT_DETECTOR_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/robust_slope.h"

namespace inferscope {

struct DriftOptions {
  // Long window in points (12 hours of minutes by default), cut into `blocks` (3..32) block
  // means for the Theil-Sen fit; window / blocks points per block (rounded down, >= 1).
  uint32_t window = 720;
  uint32_t blocks = 16;
  // Relative change of the fitted trend across the window, |end - start| / |start|, at which
  // the detector fires: 0.25 = a 25% climb (or fall) over the window.
  double threshold = 0.25;
  Direction direction = Direction::kBoth;
  // Absolute changes across the window (fitted end - start, in the series' unit) below this
  // score 0 -- needed for series near 0, where any change is a large relative one.
  double min_abs_deviation = 0;
  // Unused beyond the window: the detector learns until `blocks` blocks are complete. Kept
  // so every detector accepts the same gate options.
  uint32_t min_points = 0;

  Status Validate() const;
};

// Slow drift: a sustained robust trend relative to the level, e.g. latency creeping up 30%
// over half a day while every single point looks normal to a z-score. The trend is
// Theil-Sen over block means (stats/robust_slope.h), so spikes and short incidents do not
// tilt it. Native statistic: (fitted end - fitted start) / |fitted start| over the window,
// divided by threshold. expected = the fitted level at the start of the window; band =
// expected +- threshold * |expected|. O(1) per point plus a refit of blocks^2 / 2 pairs per
// block (~3 ns per point amortised by default); state ~330 bytes.
class DriftDetector final : public SeriesDetector {
 public:
  explicit DriftDetector(const DriftOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "drift"; }
  size_t StateBytes() const override { return sizeof(*this); }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  DriftOptions options_;
  RobustSlope slope_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_DRIFT_DETECTOR_H_
