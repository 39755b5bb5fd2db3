#include "alert/alertmanager_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "alert_test_support.h"
#include "core/time_format.h"
#include "ingest/httplib_client.h"

namespace inferscope {
namespace {

using testing::AlertmanagerProcess;
using testing::FreeLocalPort;
using testing::MakeAnomaly;
using testing::RecordingServer;
using testing::Resolved;
using testing::TempDir;

constexpr TimestampNs kStart = 1'790'000'000LL * kNanosPerSecond;  // 2026-09-21T...

std::unique_ptr<AlertmanagerSink> MakeSink(const std::string& url,
                                           AlertmanagerSink::Options options = {}) {
  AlertSinkOptions sink;
  sink.name = "am";
  sink.url = url;
  auto made = AlertmanagerSink::Create(sink, std::move(options));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

std::map<std::string, std::string> StringMap(simdjson::dom::object object) {
  std::map<std::string, std::string> out;
  for (auto field : object) {
    out[std::string(field.key)] = std::string(std::string_view(field.value.get_string()));
  }
  return out;
}

TEST(AlertmanagerSinkTest, FiringAlertCarriesLabelsAnnotationsAndNoEndsAt) {
  auto sink = MakeSink("http://am.example:9093/",
                       {false, "http://inferscope:8080/anomalies/", {{"env", "prod"}}});
  ASSERT_TRUE(sink);
  Anomaly a = MakeAnomaly(kStart);
  a.incident = "i-0123456789abcdef";
  AlertEvent event{AlertTransition::kFiring,
                   1,
                   a,
                   {{"instance", "gpu-3:8000"}, {"model", "ignored"}},
                   Severity::kHigh};
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(sink->Render(event));
  simdjson::dom::array alerts = doc.get_array();
  ASSERT_EQ(alerts.size(), 1u);
  simdjson::dom::object alert = alerts.at(0).get_object();
  EXPECT_EQ(StringMap(alert["labels"].get_object()),
            (std::map<std::string, std::string>{{"alertname", "InferscopeAnomaly"},
                                                {"model", "llama-3-70b"},
                                                {"metric", "latency_p95_ms"},
                                                {"kind", "latency_spike"},
                                                {"severity", "high"},
                                                {"env", "prod"},
                                                {"instance", "gpu-3:8000"}}));
  EXPECT_EQ(StringMap(alert["annotations"].get_object()),
            (std::map<std::string, std::string>{{"summary", a.summary},
                                                {"description", a.cause},
                                                {"recommendation", a.recommendation},
                                                {"anomaly_id", a.id},
                                                {"incident", a.incident}}));
  EXPECT_EQ(std::string_view(alert["startsAt"].get_string()), FormatIso8601(kStart, true));
  EXPECT_EQ(alert["endsAt"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(std::string_view(alert["generatorURL"].get_string()),
            "http://inferscope:8080/anomalies/" + a.id);
  EXPECT_EQ(sink->BuildRequest("[]", "k").url, "http://am.example:9093/api/v2/alerts");
}

TEST(AlertmanagerSinkTest, ResolvedAlertKeepsTheFiringSeverityLabelAndSetsEndsAt) {
  auto sink = MakeSink("http://am.example:9093/api/v2/alerts", {true, "", {}});
  ASSERT_TRUE(sink);
  // The incident grew to critical while firing; its alert was labelled high when it fired.
  Anomaly a = Resolved(MakeAnomaly(kStart), kStart + 20 * kNanosPerMinute, Severity::kCritical);
  AlertEvent event{AlertTransition::kResolved, 1, a, {}, Severity::kHigh};
  simdjson::dom::parser parser;
  simdjson::dom::object alert = parser.parse(sink->Render(event)).get_array().at(0).get_object();
  auto labels = StringMap(alert["labels"].get_object());
  EXPECT_EQ(labels["severity"], "high");
  EXPECT_EQ(labels["alertname"], "InferscopeLatencySpike");
  EXPECT_EQ(std::string_view(alert["endsAt"].get_string()),
            FormatIso8601(kStart + 20 * kNanosPerMinute, true));
  EXPECT_EQ(alert["generatorURL"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(sink->BuildRequest("[]", "k").url, "http://am.example:9093/api/v2/alerts");
}

TEST(AlertmanagerSinkTest, SeriesLabelNamesAreSanitisedAndEmptyValuesLeftOut) {
  auto sink = MakeSink("http://am:9093");
  ASSERT_TRUE(sink);
  Anomaly a = MakeAnomaly(kStart);
  a.summary.clear();
  AlertEvent event{AlertTransition::kFiring,
                   1,
                   a,
                   {{"k8s.pod-name", "p-1"}, {"9zone", "b"}, {"empty", ""}},
                   Severity::kLow};
  simdjson::dom::parser parser;
  simdjson::dom::object alert = parser.parse(sink->Render(event)).get_array().at(0).get_object();
  auto labels = StringMap(alert["labels"].get_object());
  EXPECT_EQ(labels["k8s_pod_name"], "p-1");
  EXPECT_EQ(labels["_9zone"], "b");
  EXPECT_EQ(labels.count("empty"), 0u);
  // Without insight text the summary is still useful.
  EXPECT_EQ(std::string_view(alert["annotations"]["summary"].get_string()),
            "latency_spike on llama-3-70b: latency_p95_ms 2,140.0 ms (expected 1,080.0 ms)");
}

TEST(AlertmanagerSinkTest, RejectsAResendIntervalAlertmanagerWouldOutlive) {
  AlertSinkOptions sink{"am", "http://am:9093", {}, "", std::chrono::seconds(5)};
  AlertmanagerSink::Options options;
  options.resend_interval_ns = 5 * kNanosPerMinute;
  EXPECT_EQ(AlertmanagerSink::Create(sink, options).status().code(), StatusCode::kInvalidArgument);
  options.resend_interval_ns = 0;
  EXPECT_FALSE(AlertmanagerSink::Create(sink, options).ok());
  options.resend_interval_ns = 4 * kNanosPerMinute;
  EXPECT_TRUE(AlertmanagerSink::Create(sink, options).ok());
  options.extra_labels = {{"bad-name", "x"}};
  EXPECT_FALSE(AlertmanagerSink::Create(sink, options).ok());
  sink.url = "ftp://am";
  EXPECT_FALSE(AlertmanagerSink::Create(sink, {}).ok());
}

// The real Alertmanager 0.25 routes our alert to a webhook receiver in this test: the firing
// notification, then (after we post endsAt) the resolved one.
TEST(AlertmanagerSinkTest, RealAlertmanagerNotifiesFiringThenResolved) {
  TempDir dir;
  RecordingServer receiver;
  ASSERT_TRUE(receiver.started());
  AlertmanagerProcess am;
  ASSERT_TRUE(am.Start(dir, FreeLocalPort(), receiver.Url("/hook")));
  auto sink = MakeSink(am.Url());
  ASSERT_TRUE(sink);
  HttplibClient client;

  const TimestampNs now = SystemClock::Instance().Now();
  Anomaly a = MakeAnomaly(now - 10 * kNanosPerMinute);
  a.incident = "i-" + a.id.substr(2);
  AlertLabels series = {{"instance", "gpu-3:8000"}};
  DeliveryResult fired = sink->Deliver(
      client, sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, series, a.severity}), "k1");
  ASSERT_EQ(fired.outcome, DeliveryOutcome::kDelivered) << fired.detail;

  auto is = [](std::string_view status) {
    return [status](const testing::ReceivedRequest& r) {
      return r.path == "/hook" &&
             r.body.find("\"status\":\"" + std::string(status) + "\"") != std::string::npos;
    };
  };
  std::string firing = receiver.WaitForMatch(is("firing"), std::chrono::seconds(20));
  ASSERT_FALSE(firing.empty()) << "no firing notification from alertmanager";
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(firing);
  EXPECT_EQ(std::string_view(doc["version"].get_string()), "4");
  simdjson::dom::object alert = doc["alerts"].get_array().at(0).get_object();
  EXPECT_EQ(std::string_view(alert["status"].get_string()), "firing");
  auto labels = StringMap(alert["labels"].get_object());
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"alertname", "InferscopeAnomaly"},
                                                        {"model", "llama-3-70b"},
                                                        {"metric", "latency_p95_ms"},
                                                        {"kind", "latency_spike"},
                                                        {"severity", "high"},
                                                        {"instance", "gpu-3:8000"}}));
  auto annotations = StringMap(alert["annotations"].get_object());
  EXPECT_EQ(annotations["summary"], a.summary);
  EXPECT_EQ(annotations["description"], a.cause);
  EXPECT_EQ(annotations["recommendation"], a.recommendation);
  EXPECT_EQ(annotations["anomaly_id"], a.id);
  EXPECT_EQ(annotations["incident"], a.incident);
  auto starts = ParseIso8601(std::string_view(alert["startsAt"].get_string()));
  ASSERT_TRUE(starts.ok());
  EXPECT_EQ(*starts / kNanosPerMilli, a.start_ns / kNanosPerMilli);

  Anomaly r = Resolved(a, now - kNanosPerMinute);
  DeliveryResult resolved = sink->Deliver(
      client, sink->Render(AlertEvent{AlertTransition::kResolved, 1, r, series, Severity::kHigh}),
      "k2");
  ASSERT_EQ(resolved.outcome, DeliveryOutcome::kDelivered) << resolved.detail;
  std::string done = receiver.WaitForMatch(is("resolved"), std::chrono::seconds(20));
  ASSERT_FALSE(done.empty()) << "no resolved notification from alertmanager";
  simdjson::dom::object ended = parser.parse(done)["alerts"].get_array().at(0).get_object();
  EXPECT_EQ(std::string_view(ended["status"].get_string()), "resolved");
  EXPECT_EQ(StringMap(ended["labels"].get_object()), labels);  // the same alert, resolved
  auto ends = ParseIso8601(std::string_view(ended["endsAt"].get_string()));
  ASSERT_TRUE(ends.ok());
  EXPECT_EQ(*ends / kNanosPerMilli, r.end_ns / kNanosPerMilli);
  am.Stop();
}

TEST(AlertmanagerSinkTest, RealAlertmanagerRejectsAnAlertWithoutLabelsAsPermanent) {
  TempDir dir;
  RecordingServer receiver;
  ASSERT_TRUE(receiver.started());
  AlertmanagerProcess am;
  ASSERT_TRUE(am.Start(dir, FreeLocalPort(), receiver.Url("/hook")));
  auto sink = MakeSink(am.Url());
  ASSERT_TRUE(sink);
  HttplibClient client;
  DeliveryResult result = sink->Deliver(client, "[{\"labels\":{}}]", "k");
  EXPECT_EQ(result.outcome, DeliveryOutcome::kPermanentFailure) << result.detail;
  EXPECT_EQ(result.detail.rfind("HTTP 400", 0), 0u) << result.detail;
  am.Stop();
}

}  // namespace
}  // namespace inferscope
