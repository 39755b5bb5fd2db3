#ifndef INFERSCOPE_ALERT_ALERTING_CONFIG_H_
#define INFERSCOPE_ALERT_ALERTING_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_dispatcher.h"
#include "alert/alert_outbox.h"
#include "alert/alert_sink_factory.h"
#include "core/result.h"

namespace inferscope {

// The `alerting:` section of the serve and watch configuration, read (docs/alerting.md,
// "Configuration").
struct AlertingConfig {
  std::string outbox_path;  // default: the caller's (e.g. <data_dir>/alert-outbox.db)
  AlertDispatcher::Options dispatcher;
  AlertOutbox::Options outbox;
  std::vector<AlertSinkSpec> sinks;
};

// Parses the YAML text of the `alerting:` mapping (its content, not the key itself).
// `${NAME}` in string values is replaced by the environment variable NAME (an unset variable
// is an error, so a token is never silently empty). Unknown keys are errors; messages read
// "<source>:alerting.sinks[1].timeout: ...". Sinks are validated by building them once.
Result<AlertingConfig> ParseAlertingConfig(std::string_view yaml, std::string_view source,
                                           const std::string& default_outbox_path);

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERTING_CONFIG_H_
