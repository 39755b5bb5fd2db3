#include "detect/incident_grouping.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace inferscope {
namespace {

constexpr TimestampNs kMin = kNanosPerMinute;

Anomaly Resolved(std::string model, std::string metric, int start_min, int end_min) {
  Anomaly a;
  a.model = std::move(model);
  a.metric = std::move(metric);
  a.start_ns = start_min * kMin;
  a.end_ns = end_min * kMin;
  a.last_seen_ns = a.end_ns;
  a.state = AnomalyState::kResolved;
  a.id = "a-" + a.model + "." + a.metric + "." + std::to_string(start_min);
  return a;
}

std::vector<std::string> IncidentsOf(std::vector<Anomaly> anomalies) {
  AssignIncidents(anomalies, kIncidentGapNs);
  std::vector<std::string> out;
  for (const Anomaly& a : anomalies) out.push_back(a.incident);
  return out;
}

TEST(IncidentGroupingTest, OverlappingAnomaliesOfOneModelAreOneIncidentNamedAfterTheEarliest) {
  const auto incidents = IncidentsOf({Resolved("llama", "latency_p95_ms", 12, 30),
                                      Resolved("llama", "ttft_p95_ms", 10, 28),
                                      Resolved("llama", "gpu_util", 29, 40)});
  // The ttft anomaly starts first: its id (minus "a-") names the incident.
  EXPECT_EQ(incidents[0], "i-llama.ttft_p95_ms.10");
  EXPECT_EQ(incidents[1], "i-llama.ttft_p95_ms.10");
  EXPECT_EQ(incidents[2], "i-llama.ttft_p95_ms.10");
}

TEST(IncidentGroupingTest, AGapLongerThanTheReachStartsANewIncident) {
  // Reach 5 minutes: 30 -> 35 joins, 30 -> 36 does not.
  const auto incidents =
      IncidentsOf({Resolved("llama", "latency_p95_ms", 10, 30),
                   Resolved("llama", "error_rate", 35, 40), Resolved("llama", "requests", 46, 50)});
  EXPECT_EQ(incidents[0], incidents[1]);
  EXPECT_NE(incidents[1], incidents[2]);
  EXPECT_EQ(incidents[2], "i-llama.requests.46");
}

TEST(IncidentGroupingTest, DifferentModelsStaySeparateUnlessTheFleetSeriesBridgesThem) {
  const auto apart = IncidentsOf(
      {Resolved("llama", "error_rate", 10, 20), Resolved("mistral", "error_rate", 12, 22)});
  EXPECT_NE(apart[0], apart[1]);
  const auto bridged =
      IncidentsOf({Resolved("llama", "error_rate", 10, 20),
                   Resolved("mistral", "error_rate", 12, 22), Resolved("*", "error_rate", 11, 21)});
  EXPECT_EQ(bridged[0], "i-llama.error_rate.10");
  EXPECT_EQ(bridged[1], bridged[0]);
  EXPECT_EQ(bridged[2], bridged[0]);
}

TEST(IncidentGroupingTest, ASliceOfAModelBelongsToThatModel) {
  const auto incidents = IncidentsOf({Resolved("llama/task_type=chat", "latency_p95_ms", 10, 20),
                                      Resolved("llama", "latency_p95_ms", 11, 20),
                                      Resolved("llamaX", "latency_p95_ms", 11, 20)});
  EXPECT_EQ(incidents[0], incidents[1]);
  EXPECT_NE(incidents[0], incidents[2]);
}

TEST(IncidentGroupingTest, LabelledSeriesGroupOnlyWithTheSameSeries) {
  Anomaly spike = Resolved("vllm:latency", "value", 10, 20);
  spike.labels = {{"instance", "a"}};
  Anomaly shift = Resolved("vllm:latency", "value", 12, 25);
  shift.labels = {{"instance", "a"}};
  shift.id = "a-shift";
  Anomaly other = Resolved("vllm:latency", "value", 12, 25);
  other.labels = {{"instance", "b"}};
  other.id = "a-other";
  Anomaly fleet = Resolved("*", "error_rate", 10, 25);
  const auto incidents = IncidentsOf({spike, shift, other, fleet});
  EXPECT_EQ(incidents[0], incidents[1]);
  EXPECT_NE(incidents[0], incidents[2]);
  EXPECT_NE(incidents[0], incidents[3]);  // the fleet series is a model series: unlabelled
  EXPECT_NE(incidents[2], incidents[3]);
}

TEST(IncidentGroupingTest, AFiringAnomalyReachesAsFarAsItsLastBadPoint) {
  Anomaly firing = Resolved("llama", "latency_p95_ms", 10, 0);
  firing.state = AnomalyState::kFiring;
  firing.end_ns = 0;
  firing.last_seen_ns = 50 * kMin;
  const auto incidents = IncidentsOf(
      {firing, Resolved("llama", "error_rate", 54, 60), Resolved("llama", "requests", 56, 60)});
  EXPECT_EQ(incidents[1], incidents[0]);
  EXPECT_EQ(incidents[2], incidents[0]);  // via the error-rate anomaly, which reaches 65
}

TEST(IncidentGroupingTest, LaterAnomaliesKeepAnIncidentsIdAndABridgeMergesIntoTheEarlier) {
  std::vector<Anomaly> live = {Resolved("llama", "latency_p95_ms", 10, 20),
                               Resolved("llama", "error_rate", 40, 50)};
  const auto before = IncidentsOf(live);
  EXPECT_NE(before[0], before[1]);
  live.push_back(Resolved("llama", "requests", 22, 38));  // bridges both
  const auto after = IncidentsOf(live);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[1], before[0]);
  EXPECT_EQ(after[2], before[0]);
}

TEST(IncidentGroupingTest, ViewsListMembersModelsSpanAndWorstSeverity) {
  std::vector<Anomaly> anomalies = {Resolved("*", "error_rate", 10, 20),
                                    Resolved("llama", "error_rate", 11, 22),
                                    Resolved("mistral", "latency_p95_ms", 30, 40),
                                    Resolved("llama/task_type=chat", "error_rate", 12, 18)};
  anomalies[0].severity = Severity::kMedium;
  anomalies[1].severity = Severity::kCritical;
  anomalies[3].state = AnomalyState::kFiring;
  anomalies[3].last_seen_ns = 25 * kMin;
  AssignIncidents(anomalies, kIncidentGapNs);
  const std::vector<IncidentView> views = IncidentViews(anomalies);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].members, (std::vector<size_t>{0, 1, 3}));
  EXPECT_EQ(views[0].models, "llama");
  EXPECT_EQ(views[0].start_ns, 10 * kMin);
  EXPECT_EQ(views[0].end_ns, 25 * kMin);
  EXPECT_TRUE(views[0].firing);
  EXPECT_EQ(views[0].severity, Severity::kCritical);
  EXPECT_EQ(views[1].members, (std::vector<size_t>{2}));
  EXPECT_EQ(views[1].models, "mistral");
  EXPECT_FALSE(views[1].firing);
  // Without incidents (never grouped), each anomaly is its own.
  for (Anomaly& a : anomalies) a.incident.clear();
  EXPECT_EQ(IncidentViews(anomalies).size(), anomalies.size());
}

TEST(IncidentGroupingTest, FleetOnlyIncidentIsShownAsStar) {
  std::vector<Anomaly> anomalies = {Resolved("*", "requests", 10, 20)};
  AssignIncidents(anomalies, kIncidentGapNs);
  EXPECT_EQ(IncidentViews(anomalies)[0].models, "*");
}

}  // namespace
}  // namespace inferscope
