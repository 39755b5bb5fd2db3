#ifndef INFERSCOPE_INSIGHT_ANOMALY_JSON_H_
#define INFERSCOPE_INSIGHT_ANOMALY_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include "core/json_writer.h"
#include "detect/anomaly.h"

namespace inferscope {

// Writes one anomaly as the JSON object used everywhere anomalies are shown (analyze, the
// API, detect, alert payloads); schema in docs/analyze-output.md#anomalies:
// id, kind, model ("*" when fleet-wide), metric, severity, score, state, start, end
// (ISO-8601 UTC; end null while firing), fired (when it
// became firing, i.e. when an alert goes out), peak, observed, expected, lower, upper, direction,
// detector, affected_requests, summary, cause, recommendation, and `labels` when given
// (series labels from Prometheus).
void WriteAnomalyJson(JsonWriter& w, const Anomaly& anomaly,
                      const std::vector<std::pair<std::string, std::string>>& labels = {});

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANOMALY_JSON_H_
