#ifndef INFERSCOPE_ALERT_ALERT_SINK_H_
#define INFERSCOPE_ALERT_ALERT_SINK_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/alert_event.h"
#include "core/http_client.h"
#include "core/result.h"

namespace inferscope {

// Where and how one sink sends (docs/alerting.md, `alerting.sinks[]`).
struct AlertSinkOptions {
  // Unique among one dispatcher's sinks and stable across restarts: the outbox files pending
  // deliveries under it. Letters, digits, '_', '-', '.'.
  std::string name;
  // Absolute http(s) URL. For Alertmanager the base URL (".../api/v2/alerts" is appended
  // unless already there); for Slack the incoming-webhook URL; for a webhook the endpoint.
  std::string url;
  // Extra request headers (e.g. a tenant header); sent as given.
  std::vector<std::pair<std::string, std::string>> headers;
  // Sent as "Authorization: Bearer <token>" when not empty (and no Authorization header is set).
  std::string bearer_token;
  // Whole-request limit per attempt (connect + send + receive).
  std::chrono::milliseconds timeout{5'000};
};

// What one delivery attempt came to.
enum class DeliveryOutcome {
  kDelivered,         // 2xx
  kRetry,             // transport error, timeout, 408, 425, 429, 5xx: try again later
  kPermanentFailure,  // any other status or a malformed URL: retrying cannot help
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kRetry;
  std::string detail;          // "HTTP 503: <start of body>", the transport error, ...
  int64_t retry_after_ns = 0;  // from a Retry-After header (seconds form), 0 if none
};

// A destination for alert transitions: turns an AlertEvent into the bytes its receiver expects
// (Render) and carries them over HTTP (BuildRequest). Rendering happens once, when a transition
// is enqueued in the AlertOutbox; the stored body is what is sent, however many attempts it
// takes. Subclasses are immutable after construction, so every method is thread-safe.
class AlertSink {
 public:
  explicit AlertSink(AlertSinkOptions options) : options_(std::move(options)) {}
  virtual ~AlertSink() = default;
  AlertSink(const AlertSink&) = delete;
  AlertSink& operator=(const AlertSink&) = delete;

  const std::string& name() const { return options_.name; }
  const AlertSinkOptions& options() const { return options_; }

  // "alertmanager", "slack" or "webhook".
  virtual std::string_view type() const = 0;

  // The request body for one transition. Deterministic (same event, same bytes).
  virtual std::string Render(const AlertEvent& event) const = 0;

  // The POST carrying `body` to this sink: URL, timeout, Content-Type, the configured headers,
  // and "Idempotency-Key: <delivery_key>".
  virtual HttpRequest BuildRequest(std::string body, std::string_view delivery_key) const;

  // > 0: while an incident fires, its firing payload is posted again this often (ns), because
  // the receiver forgets alerts that are not refreshed (Alertmanager). 0: sent once.
  virtual int64_t resend_interval_ns() const { return 0; }

  // Maps the outcome of Send() onto delivered / retry / give up.
  virtual DeliveryResult Classify(const Result<HttpResponse>& response) const;

  // BuildRequest + client.Send + Classify.
  DeliveryResult Deliver(HttpClient& client, std::string body, std::string_view delivery_key) const;

 protected:
  virtual std::string_view content_type() const { return "application/json"; }
  // The URL requests go to (Alertmanager appends its API path).
  virtual std::string endpoint() const { return options_.url; }

 private:
  AlertSinkOptions options_;
};

// InvalidArgument naming the problem: empty or badly formed name, URL that is not http(s),
// non-positive timeout.
Status ValidateAlertSinkOptions(const AlertSinkOptions& options);

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERT_SINK_H_
