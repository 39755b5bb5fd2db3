#include "alert/alert_event.h"

#include <fmt/format.h>

namespace inferscope {

std::string_view AlertTransitionName(AlertTransition transition) {
  switch (transition) {
    case AlertTransition::kFiring:
      return "firing";
    case AlertTransition::kResolved:
      return "resolved";
  }
  return "unknown";
}

std::optional<AlertTransition> AlertTransitionByName(std::string_view name) {
  if (name == "firing") return AlertTransition::kFiring;
  if (name == "resolved") return AlertTransition::kResolved;
  return std::nullopt;
}

std::string AlertDeliveryKey(std::string_view anomaly_id, int episode, AlertTransition transition) {
  return fmt::format("{}/{}/{}", anomaly_id, episode, AlertTransitionName(transition));
}

}  // namespace inferscope
