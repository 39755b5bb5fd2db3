#ifndef INFERSCOPE_DETECT_BAND_DETECTOR_H_
#define INFERSCOPE_DETECT_BAND_DETECTOR_H_

#include <array>
#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_window.h"

namespace inferscope {

struct BandOptions {
  // Rolling mean and sd over the last `window` points (Bollinger bands: 20).
  uint32_t window = 20;
  // Band half-width in sd.
  double k = 2.0;
  // Fires when this many consecutive points (1..16) are outside the band on the same side.
  uint32_t consecutive = 3;
  Direction direction = Direction::kBoth;
  // Deviations |x - mean| below this (in the series' unit) score 0.
  double min_abs_deviation = 0;
  // Points needed before scoring; >= 2.
  uint32_t min_points = 20;

  Status Validate() const;
};

// Rolling mean +- k * sd bands (Bollinger) with a persistence rule: fires when the last
// `consecutive` points all lie outside the band on the same side. Catches sustained
// excursions (a plateau, a slow climb out of the band) while ignoring single spikes.
// Native statistic: the weakest of the last `consecutive` excursions, |x - mean| / (k * sd),
// taken as 0 if any of them is on the other side; 1 = the rule fires.
// expected = mean, band = mean +- k * sd. O(consecutive) per point; state: 8 * window + ~200.
class BandDetector final : public SeriesDetector {
 public:
  static constexpr uint32_t kMaxConsecutive = 16;

  explicit BandDetector(const BandOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "band"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  void Clear();

  BandOptions options_;
  uint64_t seen_ = 0;
  RollingWindow window_;
  // Signed excursions (|x - mean| / (k * sd), negative below) of the last points; ring.
  std::array<float, kMaxConsecutive> recent_{};
  uint32_t recent_head_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_BAND_DETECTOR_H_
