#ifndef INFERSCOPE_DETECT_ANOMALY_H_
#define INFERSCOPE_DETECT_ANOMALY_H_

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "detect/anomaly_kind.h"
#include "detect/series_detector.h"

namespace inferscope {

enum class AnomalyState { kPending, kFiring, kResolved };
std::string_view AnomalyStateName(AnomalyState state);

// One incident: a deviation of one metric of one model (or of the fleet, model "*"),
// from when it started until it recovered. The same shape is shown everywhere anomalies
// appear (analyze JSON, API, detect, alerts); see docs/analyze-output.md#anomalies.
struct Anomaly {
  std::string id;  // stable: derived from model, metric, kind and start time
  // The incident this anomaly is part of: anomalies of one model (and the fleet "*") whose
  // spans overlap share it (detect/incident_grouping.h). "i-" + hex; "" if not grouped.
  std::string incident;
  AnomalyKind kind = AnomalyKind::kOutlier;
  std::string model;   // "*" when fleet-wide
  std::string metric;  // "latency_p95_ms", "error_rate", ...
  std::string detector;
  Severity severity = Severity::kLow;
  AnomalyState state = AnomalyState::kPending;
  double score = 0;  // the peak score, [0, 1]
  Direction direction = Direction::kAbove;
  TimestampNs start_ns = 0;
  TimestampNs end_ns = 0;        // meaningful only when resolved
  TimestampNs last_seen_ns = 0;  // last point over the threshold
  // When it became firing (start + the pending period): when an alert would have gone out.
  TimestampNs fired_ns = 0;
  // The worst point: observed vs expected at the peak deviation.
  TimestampNs peak_ns = 0;
  double observed = std::numeric_limits<double>::quiet_NaN();
  double expected = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  uint64_t points = 0;             // points over the threshold
  uint64_t affected_requests = 0;  // requests in the anomalous buckets, if known
  // Detector-specific detail at the peak, "" if none. The multivariate detector names the
  // features that deviated most: "latency_p95_ms z=+9.1 (930 vs median 240), ...".
  std::string details;
  // Raw series (SeriesEngine): the series' labels, sorted by name; empty for model metrics.
  std::vector<std::pair<std::string, std::string>> labels;
  // Filled by insight: plain-language text.
  std::string summary;
  std::string cause;
  std::string recommendation;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ANOMALY_H_
