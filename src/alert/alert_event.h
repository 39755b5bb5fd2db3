#ifndef INFERSCOPE_ALERT_ALERT_EVENT_H_
#define INFERSCOPE_ALERT_ALERT_EVENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detect/anomaly.h"
#include "detect/anomaly_kind.h"

namespace inferscope {

// The two changes of an incident that operators are told about.
enum class AlertTransition { kFiring, kResolved };

// "firing" / "resolved", as in Alertmanager's webhook payload and our `status` field.
std::string_view AlertTransitionName(AlertTransition transition);
std::optional<AlertTransition> AlertTransitionByName(std::string_view name);

// Series labels (from Prometheus), name -> value, in the order given.
using AlertLabels = std::vector<std::pair<std::string, std::string>>;

// An anomaly together with the labels of the series it was found on (empty for log-derived
// series).
struct LabeledAnomaly {
  Anomaly anomaly;
  AlertLabels labels;
};

// One transition of one incident episode, as sinks render it.
//
// An incident can fire again after it resolved (AnomalyTracker re-opens a flapping incident
// under the same id), so a transition is identified by (anomaly id, episode, transition):
// episode 1 is the first firing, 2 the first re-opening, and so on.
struct AlertEvent {
  AlertTransition transition = AlertTransition::kFiring;
  int episode = 1;
  // The anomaly as it was when the transition was seen; summary/cause/recommendation are the
  // insight text.
  Anomaly anomaly;
  AlertLabels labels;
  // The severity the episode fired with. Sinks whose receivers identify an alert by its labels
  // (Alertmanager) use this one, not anomaly.severity (which grows while an incident lasts),
  // so the resolved alert carries exactly the labels of the firing one.
  Severity alert_severity = Severity::kLow;
};

// "<anomaly id>/<episode>/<transition>", e.g. "a-3f9c2b1e0d4a5c6b/1/firing": unique per
// transition; sent as the Idempotency-Key header so a receiver can drop the rare duplicate
// (a crash between a delivery and its acknowledgement on disk).
std::string AlertDeliveryKey(std::string_view anomaly_id, int episode, AlertTransition transition);

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERT_EVENT_H_
