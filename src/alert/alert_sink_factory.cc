#include "alert/alert_sink_factory.h"

#include <fmt/format.h>

#include <set>

#include "alert/webhook_sink.h"

namespace inferscope {
namespace {

template <typename T>
Result<std::unique_ptr<AlertSink>> Upcast(Result<std::unique_ptr<T>> made) {
  if (!made.ok()) return made.status();
  return std::unique_ptr<AlertSink>(std::move(made).value());
}

}  // namespace

Result<std::unique_ptr<AlertSink>> MakeAlertSink(const AlertSinkSpec& spec) {
  if (spec.type == "alertmanager") {
    return Upcast(AlertmanagerSink::Create(spec.sink, spec.alertmanager));
  }
  if (spec.type == "slack") return Upcast(SlackSink::Create(spec.sink, spec.slack));
  if (spec.type == "webhook") return Upcast(WebhookSink::Create(spec.sink));
  return Status::InvalidArgument(
      fmt::format("alert sink '{}': type must be alertmanager, slack or webhook, got '{}'",
                  spec.sink.name, spec.type));
}

Result<std::vector<std::unique_ptr<AlertSink>>> MakeAlertSinks(
    const std::vector<AlertSinkSpec>& specs) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  std::set<std::string> names;
  for (const AlertSinkSpec& spec : specs) {
    if (!names.insert(spec.sink.name).second) {
      return Status::InvalidArgument(
          fmt::format("alerting.sinks: two sinks are named '{}'", spec.sink.name));
    }
    INFERSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<AlertSink> sink, MakeAlertSink(spec));
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

}  // namespace inferscope
