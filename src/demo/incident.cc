#include "demo/incident.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace inferscope {
namespace {

constexpr std::array<IncidentKind, 8> kAllKinds = {
    IncidentKind::kLatencySpike, IncidentKind::kErrorBurst,  IncidentKind::kGpuUnderutil,
    IncidentKind::kPoorBatching, IncidentKind::kCostSpike,   IncidentKind::kCacheDegradation,
    IncidentKind::kLatencyDrift, IncidentKind::kTrafficDrop,
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string ValidNames() {
  std::string names = "all, none";
  for (IncidentKind kind : kAllKinds) {
    names += ", ";
    names += IncidentKindName(kind);
  }
  return names;
}

}  // namespace

std::string_view IncidentKindName(IncidentKind kind) {
  switch (kind) {
    case IncidentKind::kLatencySpike:
      return "latency_spike";
    case IncidentKind::kErrorBurst:
      return "error_burst";
    case IncidentKind::kGpuUnderutil:
      return "gpu_underutil";
    case IncidentKind::kPoorBatching:
      return "poor_batching";
    case IncidentKind::kCostSpike:
      return "cost_spike";
    case IncidentKind::kCacheDegradation:
      return "cache_degradation";
    case IncidentKind::kLatencyDrift:
      return "latency_drift";
    case IncidentKind::kTrafficDrop:
      return "traffic_drop";
  }
  return "unknown";
}

std::span<const IncidentKind> AllIncidentKinds() { return kAllKinds; }

Result<std::vector<IncidentKind>> ParseIncidentKinds(std::string_view spec) {
  std::string_view trimmed = Trim(spec);
  std::vector<IncidentKind> kinds;
  if (trimmed.empty() || trimmed == "none") return kinds;
  if (trimmed == "all") return std::vector<IncidentKind>(kAllKinds.begin(), kAllKinds.end());
  while (true) {
    const size_t comma = trimmed.find(',');
    const std::string_view name = Trim(trimmed.substr(0, comma));
    const auto it = std::find_if(kAllKinds.begin(), kAllKinds.end(),
                                 [&](IncidentKind k) { return IncidentKindName(k) == name; });
    if (it == kAllKinds.end()) {
      return Status::InvalidArgument(
          fmt::format("unknown incident kind '{}' in '{}'; valid: {}", name, spec, ValidNames()));
    }
    if (std::find(kinds.begin(), kinds.end(), *it) == kinds.end()) kinds.push_back(*it);
    if (comma == std::string_view::npos) break;
    trimmed.remove_prefix(comma + 1);
  }
  return kinds;
}

}  // namespace inferscope
