#ifndef INFERSCOPE_ALERT_ALERTMANAGER_SINK_H_
#define INFERSCOPE_ALERT_ALERTMANAGER_SINK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "alert/alert_sink.h"
#include "core/clock.h"

namespace inferscope {

// Posts alerts to Prometheus Alertmanager's v2 API: POST <url>/api/v2/alerts with a JSON array
// holding one alert per transition (docs/alerting.md#alertmanager):
//
//   labels       alertname (InferscopeAnomaly, or Inferscope<Kind> per kind), model, metric,
//                kind, severity (the one the episode fired with, so the resolved alert has the
//                same label set and Alertmanager resolves the same alert), the configured
//                extra labels, then the series labels (names already used are skipped, invalid
//                characters become '_', empty values are left out as Prometheus does)
//   annotations  summary, description (the likely cause), recommendation, anomaly_id
//   startsAt     the incident's start; endsAt only when resolved (its end)
//   generatorURL generator_url_prefix + anomaly id, when a prefix is configured
//
// Alertmanager expires an alert without endsAt after resolve_timeout (5 min by default), so
// while an incident fires the dispatcher re-posts its firing payload every
// resend_interval_ns (default 1 min; must be shorter than 5 min).
class AlertmanagerSink final : public AlertSink {
 public:
  struct Options {
    // alertname = "Inferscope" + CamelCase(kind) ("InferscopeLatencySpike") instead of
    // "InferscopeAnomaly".
    bool alertname_per_kind = false;
    std::string generator_url_prefix;  // e.g. "http://inferscope:8080/api/v1/anomalies/"
    AlertLabels extra_labels;          // static labels, e.g. {"env", "prod"}
    int64_t resend_interval_ns = kNanosPerMinute;
  };

  // InvalidArgument for bad sink options or a resend interval outside (0, 5 min).
  static Result<std::unique_ptr<AlertmanagerSink>> Create(AlertSinkOptions sink, Options options);

  std::string_view type() const override { return "alertmanager"; }
  std::string Render(const AlertEvent& event) const override;
  int64_t resend_interval_ns() const override { return options_.resend_interval_ns; }

  // The alertname label for an anomaly kind under these options.
  std::string AlertName(AnomalyKind kind) const;

 protected:
  std::string endpoint() const override;

 private:
  AlertmanagerSink(AlertSinkOptions sink, Options options)
      : AlertSink(std::move(sink)), options_(std::move(options)) {}
  Options options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERTMANAGER_SINK_H_
