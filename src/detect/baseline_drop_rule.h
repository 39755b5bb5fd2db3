#ifndef INFERSCOPE_DETECT_BASELINE_DROP_RULE_H_
#define INFERSCOPE_DETECT_BASELINE_DROP_RULE_H_

#include <cstdint>
#include <memory>

#include "detect/series_detector.h"
#include "stats/rolling_window.h"

namespace inferscope {

struct BaselineDropOptions {
  // Fires when the value has dropped from its baseline (mean of the previous `window`
  // points) by more than `max_drop_pct` percent of the baseline, or by more than
  // `max_drop_abs` in the series' unit ("cache hit rate dropped more than 20%",
  // "quality score dropped more than 5 points"). max_drop_abs > 0 takes precedence.
  double max_drop_pct = 20;
  double max_drop_abs = 0;
  uint32_t window = 60;
  uint32_t min_points = 10;

  Status Validate() const;
};

// Score: ScoreFromRatio(drop / allowed drop), so score >= 0.5 exactly when the rule fires;
// rises are ignored. expected = baseline, lower = baseline - allowed drop.
class BaselineDropRule final : public SeriesDetector {
 public:
  explicit BaselineDropRule(const BaselineDropOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "baseline_drop"; }
  size_t StateBytes() const override {
    return sizeof(*this) - sizeof(window_) + window_.StateBytes();
  }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  BaselineDropOptions options_;
  RollingWindow window_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_BASELINE_DROP_RULE_H_
