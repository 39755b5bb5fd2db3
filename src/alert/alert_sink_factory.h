#ifndef INFERSCOPE_ALERT_ALERT_SINK_FACTORY_H_
#define INFERSCOPE_ALERT_ALERT_SINK_FACTORY_H_

#include <memory>
#include <string>
#include <vector>

#include "alert/alert_sink.h"
#include "alert/alertmanager_sink.h"
#include "alert/slack_sink.h"

namespace inferscope {

// One entry of `alerting.sinks` (docs/alerting.md#configuration) after the YAML has been read:
// the type plus the options of every type (only the chosen type's are used).
struct AlertSinkSpec {
  std::string type;  // "alertmanager", "slack" or "webhook"
  AlertSinkOptions sink;
  AlertmanagerSink::Options alertmanager;
  SlackSink::Options slack;
};

// Builds the sink a spec describes. InvalidArgument naming the sink for an unknown type or
// invalid options (see each sink's Create).
Result<std::unique_ptr<AlertSink>> MakeAlertSink(const AlertSinkSpec& spec);

// Builds every sink; fails on the first invalid one or on two sinks with the same name.
Result<std::vector<std::unique_ptr<AlertSink>>> MakeAlertSinks(
    const std::vector<AlertSinkSpec>& specs);

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERT_SINK_FACTORY_H_
