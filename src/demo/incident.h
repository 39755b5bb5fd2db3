#ifndef INFERSCOPE_DEMO_INCIDENT_H_
#define INFERSCOPE_DEMO_INCIDENT_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// The kinds of incident the demo generator can inject (docs/demo.md describes each one's
// signature in the data).
enum class IncidentKind {
  kLatencySpike,
  kErrorBurst,
  kGpuUnderutil,
  kPoorBatching,
  kCostSpike,
  kCacheDegradation,
  kLatencyDrift,
  kTrafficDrop,
};

// Stable snake_case name: "latency_spike", "error_burst", "gpu_underutil", "poor_batching",
// "cost_spike", "cache_degradation", "latency_drift", "traffic_drop".
std::string_view IncidentKindName(IncidentKind kind);

// Every kind, in declaration order.
std::span<const IncidentKind> AllIncidentKinds();

// Parses a user's incident list: "all" (every kind, in declaration order), "none" or ""
// (no incidents), or a comma-separated list of names (spaces around names are ignored;
// a name given twice is kept once, at its first position). An unknown name is an
// InvalidArgument error whose message lists the valid names.
Result<std::vector<IncidentKind>> ParseIncidentKinds(std::string_view spec);

// Ground truth for one injected incident: what, where, when.
struct IncidentLabel {
  IncidentKind kind = IncidentKind::kLatencySpike;
  std::string model;  // the affected model, or "*" when fleet-wide
  // The injected window [start_ns, end_ns): requests with start_ns <= timestamp < end_ns
  // are affected, no others. Whole seconds.
  TimestampNs start_ns = 0;
  TimestampNs end_ns = 0;
  std::string description;  // plain words: what was injected and how big
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_INCIDENT_H_
