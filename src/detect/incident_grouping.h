#ifndef INFERSCOPE_DETECT_INCIDENT_GROUPING_H_
#define INFERSCOPE_DETECT_INCIDENT_GROUPING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/anomaly.h"

namespace inferscope {

// Default reach between anomalies of one incident: the tracker's default resolve_after, so a
// metric that recovers and another that breaks within that time count as one problem.
inline constexpr int64_t kIncidentGapNs = 5 * kNanosPerMinute;

// Groups anomalies into incidents: what an operator would call one problem. The tracker
// keeps one anomaly per (model, metric, kind); a slowdown usually moves several metrics of
// the same model at once (p95 latency and time to first token, GPU utilisation and queue
// wait), and a model's error burst also shows in the fleet-wide series "*". Those belong
// together.
//
// Two anomalies are in the same incident when their spans come within `gap_ns` of each other
// (span = [start, end] once resolved, [start, last_seen] while pending or firing) and
//  - both have no labels and their models are the same model, where "llama/task_type=chat"
//    (a slice of a model's requests) counts as "llama", or one of them is the fleet "*"; or
//  - both have labels, the same model and the same labels (a raw Prometheus series: only
//    different kinds of one series are grouped; different series never are).
// Grouping is transitive (a fleet anomaly overlapping two models joins all three).
//
// Sets `incident` on every anomaly to "i-" + the hex digits of the id of the incident's
// earliest member (ties: the first in input order), so an incident keeps its id while later
// anomalies join it; two incidents merge only when a later anomaly bridges them, and the
// merged one takes the earlier's id. O(n log n + n·k), k = anomalies whose spans are still
// within reach of the one being placed. Order of `anomalies` is unchanged.
void AssignIncidents(std::vector<Anomaly>& anomalies, int64_t gap_ns);

// One incident as reports show it: its anomalies and what they have in common.
struct IncidentView {
  std::vector<size_t> members;  // indices into the anomalies, in their order
  // The models involved, ", "-separated in order of first appearance ("llama/task_type=chat"
  // counts as "llama"); "*" when only the fleet-wide series is.
  std::string models;
  TimestampNs start_ns = 0;            // earliest start
  TimestampNs end_ns = 0;              // latest end (resolved members) or last_seen (others)
  bool firing = false;                 // some member is not resolved
  Severity severity = Severity::kLow;  // the highest of the members'
};

// `anomalies` grouped by their `incident`, in the order of each incident's first member.
// Anomalies with an empty `incident` are incidents of one.
std::vector<IncidentView> IncidentViews(const std::vector<Anomaly>& anomalies);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_INCIDENT_GROUPING_H_
