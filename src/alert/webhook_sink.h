#ifndef INFERSCOPE_ALERT_WEBHOOK_SINK_H_
#define INFERSCOPE_ALERT_WEBHOOK_SINK_H_

#include <memory>

#include "alert/alert_sink.h"

namespace inferscope {

// Posts each transition to any HTTP endpoint as one JSON object: the anomaly object shared by
// analyze, the API and detect (docs/analyze-output.md#anomalies, written by WriteAnomalyJson,
// with `labels` when the series had labels) plus "status": "firing" | "resolved"
// (docs/alerting.md#generic-webhook). The Idempotency-Key header
// ("<anomaly id>/<episode>/<status>") lets a receiver drop a duplicate.
class WebhookSink final : public AlertSink {
 public:
  static Result<std::unique_ptr<WebhookSink>> Create(AlertSinkOptions sink);

  std::string_view type() const override { return "webhook"; }
  std::string Render(const AlertEvent& event) const override;

 private:
  explicit WebhookSink(AlertSinkOptions sink) : AlertSink(std::move(sink)) {}
};

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_WEBHOOK_SINK_H_
