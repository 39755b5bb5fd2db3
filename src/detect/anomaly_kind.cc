#include "detect/anomaly_kind.h"

#include <array>
#include <utility>

namespace inferscope {
namespace {

constexpr std::array<std::pair<AnomalyKind, std::string_view>, 14> kNames = {{
    {AnomalyKind::kSpike, "spike"},
    {AnomalyKind::kLevelShift, "level_shift"},
    {AnomalyKind::kDrift, "drift"},
    {AnomalyKind::kOutlier, "outlier"},
    {AnomalyKind::kSeasonalDeviation, "seasonal_deviation"},
    {AnomalyKind::kLatencySpike, "latency_spike"},
    {AnomalyKind::kErrorBurst, "error_burst"},
    {AnomalyKind::kGpuUnderutil, "gpu_underutil"},
    {AnomalyKind::kPoorBatching, "poor_batching"},
    {AnomalyKind::kCostSpike, "cost_spike"},
    {AnomalyKind::kCacheDegradation, "cache_degradation"},
    {AnomalyKind::kTrafficDrop, "traffic_drop"},
    {AnomalyKind::kLatencyDrift, "latency_drift"},
    {AnomalyKind::kQualityDrop, "quality_drop"},
}};

}  // namespace

std::string_view AnomalyKindName(AnomalyKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<AnomalyKind> AnomalyKindByName(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

}  // namespace inferscope
