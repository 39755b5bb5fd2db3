#include "alert/webhook_sink.h"

#include <cassert>

#include "core/json_writer.h"
#include "insight/anomaly_json.h"

namespace inferscope {

Result<std::unique_ptr<WebhookSink>> WebhookSink::Create(AlertSinkOptions sink) {
  INFERSCOPE_RETURN_IF_ERROR(ValidateAlertSinkOptions(sink));
  return std::unique_ptr<WebhookSink>(new WebhookSink(std::move(sink)));
}

std::string WebhookSink::Render(const AlertEvent& event) const {
  std::string out;
  JsonWriter w(&out);
  WriteAnomalyJson(w, event.anomaly, event.labels);
  // WriteAnomalyJson closes its (never empty) object; reopen it to add the transition, so the
  // body is the shared schema plus one key rather than a wrapper around it.
  assert(!out.empty() && out.back() == '}');
  out.pop_back();
  out += ",\"status\":";
  AppendJsonString(&out, AlertTransitionName(event.transition));
  out += '}';
  return out;
}

}  // namespace inferscope
