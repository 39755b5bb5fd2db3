#include "insight/anomaly_replay.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "detect/incident_grouping.h"

namespace inferscope {
namespace {

constexpr TimestampNs kT0 = 1'767'225'600LL * kNanosPerSecond;

// Two hours of one model at 60 requests/minute; `shape` may alter each request.
template <typename Shape>
TimeRollup MakeRollup(const std::string& model, Shape shape, int minutes = 120) {
  TimeRollup r(kNanosPerMinute);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0, 1);
  for (int m = 0; m < minutes; ++m) {
    for (int i = 0; i < 60; ++i) {
      Event e;
      e.model = model;
      e.timestamp_ns = kT0 + m * kNanosPerMinute + i * kNanosPerSecond;
      e.Set(EventField::kLatencyMs, 200 + 10 * noise(rng));
      e.Set(EventField::kQueueDepth, 1);
      e.Set(EventField::kGpuUtil, 60 + noise(rng));
      if (!shape(m, i, e)) continue;
      r.Add(e);
    }
  }
  return r;
}

TEST(AnomalyReplayTest, ALatencySpikeWithAQueueIsOneExplainedIncident) {
  TimeRollup r = MakeRollup("m", [](int m, int, Event& e) {
    if (m >= 90 && m < 100) {
      e.Set(EventField::kLatencyMs, 1200);
      e.Set(EventField::kQueueDepth, 12);
    }
    return true;
  });
  AnomalyReplay replay({});
  auto result = replay.Run({{"m", &r}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::vector<Anomaly> latency;
  for (const auto& a : *result) {
    if (a.metric == "latency_p95_ms") latency.push_back(a);
  }
  ASSERT_EQ(latency.size(), 1u);
  const Anomaly& a = latency[0];
  EXPECT_EQ(a.kind, AnomalyKind::kLatencySpike);
  EXPECT_EQ(a.model, "m");
  EXPECT_EQ(a.start_ns, kT0 + 90 * kNanosPerMinute);
  EXPECT_EQ(a.state, AnomalyState::kResolved);
  EXPECT_EQ(a.end_ns, kT0 + 99 * kNanosPerMinute);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_NEAR(a.observed, 1200, 15);
  EXPECT_NEAR(a.expected, 216, 30);  // the baseline p95
  EXPECT_EQ(a.affected_requests, 600u);
  EXPECT_NE(a.summary.find("P95 latency of m rose to"), std::string::npos) << a.summary;
  EXPECT_NE(a.summary.find("600 requests"), std::string::npos) << a.summary;
  EXPECT_NE(a.cause.find("queue_depth rose"), std::string::npos) << a.cause;
  EXPECT_NE(a.recommendation.find("queue"), std::string::npos) << a.recommendation;
}

TEST(AnomalyReplayTest, MetricsOfOneModelBreakingTogetherAreOneIncident) {
  // Model m slows down and fails at once; model n, quiet, is another story. The fleet-wide
  // error rate ("*") moves with m's and joins its incident.
  TimeRollup m = MakeRollup("m", [](int minute, int i, Event& e) {
    if (minute >= 90 && minute < 100) {
      e.Set(EventField::kLatencyMs, 1200);
      if (i % 3 == 0) e.status = EventStatus::kError;
    }
    return true;
  });
  TimeRollup n = MakeRollup("n", [](int, int, Event&) { return true; });
  auto result = AnomalyReplay({}).Run({{"m", &m}, {"n", &n}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string latency_incident, error_incident, fleet_incident;
  for (const Anomaly& a : *result) {
    EXPECT_NE(a.model, "n") << a.metric;
    if (a.model == "m" && a.metric == "latency_p95_ms") latency_incident = a.incident;
    if (a.model == "m" && a.metric == "error_rate") error_incident = a.incident;
    if (a.model == "*" && a.metric == "error_rate") fleet_incident = a.incident;
  }
  ASSERT_FALSE(latency_incident.empty());
  EXPECT_EQ(error_incident, latency_incident);
  EXPECT_EQ(fleet_incident, latency_incident);
  EXPECT_EQ(IncidentViews(*result).size(), 1u);
}

TEST(AnomalyReplayTest, CleanTrafficProducesNoIncident) {
  TimeRollup r = MakeRollup(
      "m", [](int, int, Event&) { return true; }, 600);
  auto result = AnomalyReplay({}).Run({{"m", &r}});
  ASSERT_TRUE(result.ok());
  for (const auto& a : *result) ADD_FAILURE() << a.metric << " " << a.summary;
}

TEST(AnomalyReplayTest, MinutesWithoutRequestsAreATrafficDrop) {
  TimeRollup r = MakeRollup("m", [](int m, int, Event&) { return m < 80 || m >= 95; });
  auto result = AnomalyReplay({}).Run({{"m", &r}});
  ASSERT_TRUE(result.ok());
  bool per_model = false, fleet = false;
  for (const auto& a : *result) {
    if (a.kind != AnomalyKind::kTrafficDrop) continue;
    EXPECT_EQ(a.start_ns, kT0 + 80 * kNanosPerMinute);
    per_model |= a.model == "m";
    fleet |= a.model == "*";
  }
  EXPECT_TRUE(per_model);
  EXPECT_TRUE(fleet);
}

}  // namespace
}  // namespace inferscope
