#include "alert/alertmanager_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "insight/number_format.h"

namespace inferscope {
namespace {

constexpr std::string_view kApiPath = "/api/v2/alerts";
// Alertmanager's default resolve_timeout: an alert not refreshed within it expires.
constexpr int64_t kAlertmanagerExpiryNs = 5 * kNanosPerMinute;

bool ValidLabelChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  return !first && c >= '0' && c <= '9';
}

// Prometheus label names are [a-zA-Z_][a-zA-Z0-9_]*.
std::string SanitizeLabelName(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  // A leading digit is kept behind an underscore ("9zone" -> "_9zone").
  if (!name.empty() && name[0] >= '0' && name[0] <= '9') out.push_back('_');
  for (char c : name) out.push_back(ValidLabelChar(c, out.empty()) ? c : '_');
  if (out.empty()) out = "_";
  return out;
}

std::string FallbackSummary(const Anomaly& a) {
  return fmt::format("{} on {}: {} {} (expected {})", AnomalyKindName(a.kind), a.model, a.metric,
                     FormatMetric(a.metric, a.observed), FormatMetric(a.metric, a.expected));
}

}  // namespace

Result<std::unique_ptr<AlertmanagerSink>> AlertmanagerSink::Create(AlertSinkOptions sink,
                                                                   Options options) {
  INFERSCOPE_RETURN_IF_ERROR(ValidateAlertSinkOptions(sink));
  if (options.resend_interval_ns <= 0 || options.resend_interval_ns >= kAlertmanagerExpiryNs) {
    return Status::InvalidArgument(fmt::format(
        "alert sink '{}': resend_interval must be > 0 and < 5m (Alertmanager expires alerts "
        "that are not re-posted within its resolve_timeout, 5m by default)",
        sink.name));
  }
  for (const auto& [name, value] : options.extra_labels) {
    if (name.empty() || SanitizeLabelName(name) != name) {
      return Status::InvalidArgument(fmt::format(
          "alert sink '{}': label name '{}' is not [a-zA-Z_][a-zA-Z0-9_]*", sink.name, name));
    }
  }
  return std::unique_ptr<AlertmanagerSink>(
      new AlertmanagerSink(std::move(sink), std::move(options)));
}

std::string AlertmanagerSink::endpoint() const {
  std::string url = options().url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() >= kApiPath.size() &&
      url.compare(url.size() - kApiPath.size(), kApiPath.size(), kApiPath) == 0) {
    return url;
  }
  return url + std::string(kApiPath);
}

std::string AlertmanagerSink::AlertName(AnomalyKind kind) const {
  if (!options_.alertname_per_kind) return "InferscopeAnomaly";
  std::string name = "Inferscope";
  bool upper = true;
  for (char c : AnomalyKindName(kind)) {
    if (c == '_') {
      upper = true;
      continue;
    }
    name.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return name;
}

std::string AlertmanagerSink::Render(const AlertEvent& event) const {
  const Anomaly& a = event.anomaly;
  std::string out;
  JsonWriter w(&out);
  w.BeginArray().BeginObject();

  w.Key("labels").BeginObject();
  std::set<std::string> used;
  auto label = [&](const std::string& name, std::string_view value) {
    if (value.empty() || !used.insert(name).second) return;
    w.Key(name).String(value);
  };
  label("alertname", AlertName(a.kind));
  label("model", a.model);
  label("metric", a.metric);
  label("kind", AnomalyKindName(a.kind));
  label("severity", SeverityName(event.alert_severity));
  for (const auto& [name, value] : options_.extra_labels) label(name, value);
  for (const auto& [name, value] : event.labels) label(SanitizeLabelName(name), value);
  w.EndObject();

  w.Key("annotations").BeginObject();
  w.Key("summary").String(a.summary.empty() ? FallbackSummary(a) : a.summary);
  if (!a.cause.empty()) w.Key("description").String(a.cause);
  if (!a.recommendation.empty()) w.Key("recommendation").String(a.recommendation);
  w.Key("anomaly_id").String(a.id);
  // An annotation, not a label: a label is part of the alert's identity, and an incident id
  // can change when a later anomaly merges two incidents.
  if (!a.incident.empty()) w.Key("incident").String(a.incident);
  w.EndObject();

  w.Key("startsAt").String(FormatIso8601(a.start_ns, true));
  if (event.transition == AlertTransition::kResolved) {
    // Alertmanager rejects endsAt before startsAt; a one-point incident ends where it starts.
    w.Key("endsAt").String(FormatIso8601(std::max(a.end_ns, a.start_ns), true));
  }
  if (!options_.generator_url_prefix.empty()) {
    w.Key("generatorURL").String(options_.generator_url_prefix + a.id);
  }
  w.EndObject().EndArray();
  return out;
}

}  // namespace inferscope
