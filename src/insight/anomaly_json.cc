#include "insight/anomaly_json.h"

#include "core/time_format.h"
#include "detect/detector_common.h"

namespace inferscope {

void WriteAnomalyJson(JsonWriter& w, const Anomaly& a,
                      const std::vector<std::pair<std::string, std::string>>& labels) {
  w.BeginObject();
  w.Key("id").String(a.id);
  if (a.incident.empty()) {
    w.Key("incident").Null();
  } else {
    w.Key("incident").String(a.incident);
  }
  w.Key("kind").String(AnomalyKindName(a.kind));
  w.Key("model").String(a.model);
  w.Key("metric").String(a.metric);
  w.Key("severity").String(SeverityName(a.severity));
  w.Key("score").Number(a.score);
  w.Key("state").String(AnomalyStateName(a.state));
  w.Key("start").String(FormatIso8601(a.start_ns, true));
  if (a.state == AnomalyState::kResolved) {
    w.Key("end").String(FormatIso8601(a.end_ns, true));
  } else {
    w.Key("end").Null();
  }
  w.Key("fired").String(FormatIso8601(a.fired_ns, true));
  w.Key("peak").String(FormatIso8601(a.peak_ns, true));
  w.Key("observed").Number(a.observed);
  w.Key("expected").Number(a.expected);
  w.Key("lower").Number(a.lower);
  w.Key("upper").Number(a.upper);
  w.Key("direction").String(DirectionName(a.direction));
  w.Key("detector").String(a.detector);
  w.Key("affected_requests").Uint(a.affected_requests);
  w.Key("summary").String(a.summary);
  w.Key("cause").String(a.cause);
  w.Key("recommendation").String(a.recommendation);
  if (!a.details.empty()) w.Key("details").String(a.details);
  const auto& shown = labels.empty() ? a.labels : labels;
  if (!shown.empty()) {
    w.Key("labels").BeginObject();
    for (const auto& [k, v] : shown) w.Key(k).String(v);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace inferscope
