#ifndef INFERSCOPE_DETECT_ANOMALY_KIND_H_
#define INFERSCOPE_DETECT_ANOMALY_KIND_H_

#include <optional>
#include <string_view>

namespace inferscope {

// What kind of deviation an anomaly is. The generic kinds come from the statistical
// detectors; the inference kinds name what an operator recognises.
enum class AnomalyKind {
  // generic
  kSpike,
  kLevelShift,
  kDrift,
  kOutlier,
  kSeasonalDeviation,
  // inference-specific
  kLatencySpike,
  kErrorBurst,
  kGpuUnderutil,
  kPoorBatching,
  kCostSpike,
  kCacheDegradation,
  kTrafficDrop,
  kLatencyDrift,
  kQualityDrop,
};

// Stable snake_case name ("latency_spike"), as used in JSON and alerts.
std::string_view AnomalyKindName(AnomalyKind kind);
std::optional<AnomalyKind> AnomalyKindByName(std::string_view name);

// How bad, from the size and duration of the deviation.
enum class Severity { kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity severity);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ANOMALY_KIND_H_
