#ifndef INFERSCOPE_DETECT_RATIO_TO_BASELINE_RULE_H_
#define INFERSCOPE_DETECT_RATIO_TO_BASELINE_RULE_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_window.h"

namespace inferscope {

struct RatioToBaselineOptions {
  // Fires when the value is above k x baseline (direction above), or below baseline / k
  // (direction below). The operators' classic "latency p95 > 3x its rolling mean" and
  // "cost > 2x its rolling average".
  double k = 3.0;
  // Baseline: mean of the previous `window` points (every point enters it, as in the
  // classic rule).
  uint32_t window = 60;
  // Points needed before the rule may fire (the "needs >= N baseline points" clause).
  uint32_t min_points = 10;
  Direction direction = Direction::kAbove;
  double min_abs_deviation = 0;

  Status Validate() const;
};

// The classic ratio rule. Score: ScoreFromRatio(value / (k * baseline)) for above,
// ScoreFromRatio(baseline / (k * value)) for below, so score >= 0.5 exactly when the rule
// fires. expected = baseline; band = [baseline / k, k * baseline].
// O(1) per point; state 8 * window bytes plus ~90.
class RatioToBaselineRule final : public SeriesDetector {
 public:
  explicit RatioToBaselineRule(const RatioToBaselineOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "ratio_to_baseline"; }
  size_t StateBytes() const override {
    return sizeof(*this) - sizeof(window_) + window_.StateBytes();
  }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  RatioToBaselineOptions options_;
  RollingWindow window_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_RATIO_TO_BASELINE_RULE_H_
