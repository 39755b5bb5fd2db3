#include "alert/slack_sink.h"

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "insight/number_format.h"

namespace inferscope {
namespace {

constexpr size_t kHeaderLimit = 150;
constexpr size_t kSectionLimit = 3000;

// Cuts to at most `limit` bytes without splitting a UTF-8 sequence, marking the cut with "…".
std::string Truncate(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  size_t cut = limit - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += kEllipsis;
  return text;
}

std::string KindTitle(AnomalyKind kind) {
  std::string s(AnomalyKindName(kind));
  for (char& c : s) {
    if (c == '_') c = ' ';
  }
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string ModelText(const Anomaly& a) { return a.model == "*" ? "all models" : a.model; }

void Section(JsonWriter& w, const std::string& mrkdwn) {
  w.BeginObject();
  w.Key("type").String("section");
  w.Key("text").BeginObject().Key("type").String("mrkdwn");
  w.Key("text").String(Truncate(mrkdwn, kSectionLimit));
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string EscapeSlackText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::unique_ptr<SlackSink>> SlackSink::Create(AlertSinkOptions sink, Options options) {
  INFERSCOPE_RETURN_IF_ERROR(ValidateAlertSinkOptions(sink));
  return std::unique_ptr<SlackSink>(new SlackSink(std::move(sink), std::move(options)));
}

std::string SlackSink::Render(const AlertEvent& event) const {
  const Anomaly& a = event.anomaly;
  const bool resolved = event.transition == AlertTransition::kResolved;
  const std::string tag = resolved ? "RESOLVED" : "FIRING";
  const std::string title = fmt::format("[{}] {} on {} ({})", tag, KindTitle(a.kind), ModelText(a),
                                        SeverityName(a.severity));
  const std::string summary =
      !a.summary.empty()
          ? a.summary
          : fmt::format("{} of {} is {} (expected {}).", a.metric, ModelText(a),
                        FormatMetric(a.metric, a.observed), FormatMetric(a.metric, a.expected));

  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  if (!options_.channel.empty()) w.Key("channel").String(options_.channel);
  if (!options_.username.empty()) w.Key("username").String(options_.username);
  // The fallback shown in notifications and by clients that do not render blocks.
  w.Key("text").String(EscapeSlackText(title + ": " + summary));

  w.Key("blocks").BeginArray();
  w.BeginObject();
  w.Key("type").String("header");
  w.Key("text").BeginObject().Key("type").String("plain_text");
  w.Key("text").String(Truncate(title, kHeaderLimit));
  w.EndObject();
  w.EndObject();

  Section(w, EscapeSlackText(summary));

  w.BeginObject();
  w.Key("type").String("section");
  w.Key("fields").BeginArray();
  auto field = [&w](std::string_view name, const std::string& value) {
    w.BeginObject().Key("type").String("mrkdwn");
    w.Key("text").String(Truncate(fmt::format("*{}*\n{}", name, EscapeSlackText(value)), 2000));
    w.EndObject();
  };
  field("Model", ModelText(a));
  field("Metric", a.metric);
  field("Severity", std::string(SeverityName(a.severity)));
  field("Observed", fmt::format("{} (expected {})", FormatMetric(a.metric, a.observed),
                                FormatMetric(a.metric, a.expected)));
  field("Since", FormatIso8601(a.start_ns));
  if (resolved) {
    field("Duration", FormatDurationHuman(a.end_ns - a.start_ns));
  } else if (a.affected_requests > 0) {
    field("Requests affected", FormatCount(a.affected_requests));
  }
  w.EndArray();
  w.EndObject();

  if (!a.cause.empty()) Section(w, "*Likely cause*\n" + EscapeSlackText(a.cause));
  if (!a.recommendation.empty()) {
    Section(w, "*Recommendation*\n" + EscapeSlackText(a.recommendation));
  }

  w.BeginObject();
  w.Key("type").String("context");
  w.Key("elements").BeginArray();
  w.BeginObject().Key("type").String("mrkdwn");
  w.Key("text").String(
      EscapeSlackText(fmt::format("inferscope · anomaly {}{} · {} · detector {}", a.id,
                                  a.incident.empty() ? "" : " (incident " + a.incident + ")",
                                  AnomalyKindName(a.kind), a.detector.empty() ? "-" : a.detector)));
  w.EndObject();
  w.EndArray();
  w.EndObject();

  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace inferscope
