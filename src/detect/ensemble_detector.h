#ifndef INFERSCOPE_DETECT_ENSEMBLE_DETECTOR_H_
#define INFERSCOPE_DETECT_ENSEMBLE_DETECTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/series_detector.h"

namespace inferscope {

struct EnsembleOptions {
  // Sides that count (a member's score on the other side is ignored).
  Direction direction = Direction::kBoth;
  // A point whose |value - expected| is below either floor scores 0, whatever the members
  // say: min_abs_deviation in the series' unit, min_rel_deviation as a fraction of
  // |expected| (0.25 = 25%). This is what keeps 2 ms on a 5 ms baseline from being an
  // incident.
  double min_abs_deviation = 0;
  double min_rel_deviation = 0;
};

// Combines member detectors into one score in [0, 1] per point: the largest member score on
// a watched side, after the deviation floors. expected/lower/upper come from the first
// member that has an opinion (list the most interpretable detector first). Learning while
// every member is learning. Memory: the members' plus ~64 bytes. Not thread-safe.
class EnsembleDetector final : public SeriesDetector {
 public:
  EnsembleDetector(std::vector<std::unique_ptr<SeriesDetector>> members, EnsembleOptions options);

  // Members from spec lines ("robust_z window=60 threshold=5", see detector_factory.h).
  static Result<std::unique_ptr<EnsembleDetector>> FromSpecs(const std::vector<std::string>& specs,
                                                             EnsembleOptions options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "ensemble"; }
  size_t StateBytes() const override;
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

  // Name of the member that produced the last non-zero score ("" if none).
  std::string_view last_winner() const { return last_winner_; }

 private:
  std::vector<std::unique_ptr<SeriesDetector>> members_;
  EnsembleOptions options_;
  std::string_view last_winner_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ENSEMBLE_DETECTOR_H_
