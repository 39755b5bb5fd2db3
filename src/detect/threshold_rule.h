#ifndef INFERSCOPE_DETECT_THRESHOLD_RULE_H_
#define INFERSCOPE_DETECT_THRESHOLD_RULE_H_

#include <memory>

#include "detect/series_detector.h"

namespace inferscope {

struct ThresholdOptions {
  // Fires when the value is above (direction above) or below (direction below) threshold:
  // "error rate > 5%", "GPU utilisation < 40%", "batch fill < 30%".
  double threshold = 0;
  Direction direction = Direction::kAbove;
  // With direction below: values <= 0 never fire ("0 < fill ratio < 30%": an idle
  // batcher is not a badly filled one).
  bool ignore_zero = false;

  Status Validate() const;
};

// A fixed threshold: stateless, never learning. Score: ScoreFromRatio(value / threshold)
// above, ScoreFromRatio(threshold / value) below. expected = threshold.
class ThresholdRule final : public SeriesDetector {
 public:
  explicit ThresholdRule(const ThresholdOptions& options) : options_(options) {}

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "threshold"; }
  size_t StateBytes() const override { return sizeof(*this); }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  ThresholdOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_THRESHOLD_RULE_H_
