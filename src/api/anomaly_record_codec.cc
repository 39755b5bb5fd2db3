#include "api/anomaly_record_codec.h"

#include <simdjson.h>

#include "core/json_writer.h"

namespace inferscope {
namespace {

Severity SeverityByName(std::string_view name) {
  for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return Severity::kLow;
}

AnomalyState StateByName(std::string_view name) {
  for (AnomalyState s : {AnomalyState::kPending, AnomalyState::kFiring, AnomalyState::kResolved}) {
    if (AnomalyStateName(s) == name) return s;
  }
  return AnomalyState::kPending;
}

}  // namespace

AnomalyRecord ToAnomalyRecord(const Anomaly& a) {
  AnomalyRecord r;
  r.id = a.id;
  r.kind = std::string(AnomalyKindName(a.kind));
  r.model = a.model;
  r.metric = a.metric;
  r.detector = a.detector;
  r.severity = std::string(SeverityName(a.severity));
  r.state = std::string(AnomalyStateName(a.state));
  r.direction = a.direction == Direction::kBelow ? "below" : "above";
  r.score = a.score;
  r.start_ns = a.start_ns;
  r.end_ns = a.end_ns;
  r.last_seen_ns = a.last_seen_ns;
  r.fired_ns = a.fired_ns;
  r.peak_ns = a.peak_ns;
  r.observed = a.observed;
  r.expected = a.expected;
  r.lower = a.lower;
  r.upper = a.upper;
  r.points = a.points;
  r.affected_requests = a.affected_requests;
  r.summary = a.summary;
  r.cause = a.cause;
  r.recommendation = a.recommendation;
  r.incident = a.incident;
  if (!a.labels.empty()) {
    JsonWriter w(&r.labels_json);
    w.BeginObject();
    for (const auto& [key, value] : a.labels) w.Key(key).String(value);
    w.EndObject();
  }
  return r;
}

Anomaly FromAnomalyRecord(const AnomalyRecord& r) {
  Anomaly a;
  a.id = r.id;
  a.kind = AnomalyKindByName(r.kind).value_or(AnomalyKind::kOutlier);
  a.model = r.model;
  a.metric = r.metric;
  a.detector = r.detector;
  a.severity = SeverityByName(r.severity);
  a.state = StateByName(r.state);
  a.direction = r.direction == "below" ? Direction::kBelow : Direction::kAbove;
  a.score = r.score;
  a.start_ns = r.start_ns;
  a.end_ns = r.end_ns;
  a.last_seen_ns = r.last_seen_ns;
  a.fired_ns = r.fired_ns;
  a.peak_ns = r.peak_ns;
  a.observed = r.observed;
  a.expected = r.expected;
  a.lower = r.lower;
  a.upper = r.upper;
  a.points = r.points;
  a.affected_requests = r.affected_requests;
  a.summary = r.summary;
  a.cause = r.cause;
  a.recommendation = r.recommendation;
  a.incident = r.incident;
  if (!r.labels_json.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(r.labels_json).get(object) == simdjson::SUCCESS) {
      for (auto field : object) {
        std::string_view value;
        if (field.value.get(value) == simdjson::SUCCESS) {
          a.labels.emplace_back(std::string(field.key), std::string(value));
        }
      }
    }
  }
  return a;
}

}  // namespace inferscope
