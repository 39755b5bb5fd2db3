#ifndef INFERSCOPE_ALERT_SLACK_SINK_H_
#define INFERSCOPE_ALERT_SLACK_SINK_H_

#include <memory>
#include <string>

#include "alert/alert_sink.h"

namespace inferscope {

// Posts a readable message to a Slack incoming webhook (docs/alerting.md#slack):
// {"text": <one-line fallback for notifications>, "blocks": [header, summary, fields (model,
// metric, severity, observed vs expected, since / duration), likely cause, recommendation,
// context (anomaly id, detector)]}. Text is escaped for Slack's mrkdwn (&, <, >) and cut to
// Slack's block limits (150 characters for the header, 3000 for a section).
// The same body works with Mattermost and Rocket.Chat incoming webhooks, which read `text`.
class SlackSink final : public AlertSink {
 public:
  struct Options {
    // Optional overrides the webhook may honour (legacy webhooks do; app webhooks ignore them).
    std::string channel;
    std::string username;
  };

  static Result<std::unique_ptr<SlackSink>> Create(AlertSinkOptions sink, Options options = {});

  std::string_view type() const override { return "slack"; }
  std::string Render(const AlertEvent& event) const override;

 private:
  SlackSink(AlertSinkOptions sink, Options options)
      : AlertSink(std::move(sink)), options_(std::move(options)) {}
  Options options_;
};

// Escapes Slack mrkdwn control characters: & -> &amp;, < -> &lt;, > -> &gt;.
std::string EscapeSlackText(std::string_view text);

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_SLACK_SINK_H_
