#include "detect/anomaly_tracker.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

constexpr TimestampNs kMin = kNanosPerMinute;

// Feeds one point per minute with the given scores (value 300 vs expected 100 when bad).
class TrackerHarness {
 public:
  explicit TrackerHarness(AnomalyTracker::Options o = {}) : tracker_(o) {}
  int Feed(std::initializer_list<double> scores, const std::string& model = "m") {
    int changes = 0;
    for (double s : scores) {
      AnomalyTracker::Point p;
      p.ts = minute_++ * kMin;
      p.value = s >= 0.5 ? 300 : 100;
      p.output.score = s;
      p.output.expected = 100;
      p.output.learning = false;
      p.output.direction = Direction::kAbove;
      p.requests = 10;
      changes +=
          tracker_.Observe(model, "latency_p95_ms", AnomalyKind::kLatencySpike, "robust_z", p);
    }
    return changes;
  }
  AnomalyTracker& tracker() { return tracker_; }
  int64_t minute() const { return minute_; }

 private:
  AnomalyTracker tracker_;
  int64_t minute_ = 0;
};

TEST(AnomalyTrackerTest, PendingBecomesFiringAfterThePendingPeriod) {
  TrackerHarness h;
  EXPECT_EQ(h.Feed({0, 0, 0.9, 0.9}), 0);  // pending since minute 2, 1 min held
  EXPECT_TRUE(h.tracker().Incidents().empty()) << "pending incidents are not reported";
  EXPECT_EQ(h.Feed({0.9}), 1);  // minute 4: held 2 min -> firing
  auto inc = h.tracker().Incidents();
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_EQ(inc[0].state, AnomalyState::kFiring);
  EXPECT_EQ(inc[0].start_ns, 2 * kMin);
  EXPECT_EQ(inc[0].fired_ns, 4 * kMin);
  EXPECT_EQ(inc[0].points, 3u);
  EXPECT_EQ(inc[0].affected_requests, 30u);
  EXPECT_DOUBLE_EQ(inc[0].observed, 300);
  EXPECT_DOUBLE_EQ(inc[0].expected, 100);
}

TEST(AnomalyTrackerTest, APendingBlipThatRecoversIsNeverReported) {
  TrackerHarness h;
  h.Feed({0, 0.9, 0.0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(h.tracker().Incidents().empty());
}

TEST(AnomalyTrackerTest, ResolvesAfterBeingQuietForTheRecoveryPeriod) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9, 0.9});                // firing at minute 2, last bad at minute 3
  EXPECT_EQ(h.Feed({0.1, 0.1, 0.1, 0.1}), 0);  // quiet 4..7: 3 min so far
  EXPECT_EQ(h.Feed({0.1, 0.1}), 1);            // minute 9: quiet for 5 min
  auto inc = h.tracker().Incidents();
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_EQ(inc[0].state, AnomalyState::kResolved);
  EXPECT_EQ(inc[0].end_ns, 3 * kMin);
}

TEST(AnomalyTrackerTest, AWobblingScoreKeepsAnIncidentPending) {
  TrackerHarness h;
  EXPECT_EQ(h.Feed({0.9, 0.45, 0.9}), 1);  // 0.45 is between the thresholds: still pending
  EXPECT_EQ(h.tracker().Incidents().size(), 1u);
}

TEST(AnomalyTrackerTest, ScoresBetweenTheThresholdsKeepItFiring) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9});
  h.Feed({0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4});  // hysteresis band
  EXPECT_EQ(h.tracker().Incidents()[0].state, AnomalyState::kFiring);
}

TEST(AnomalyTrackerTest, OneIncidentPerKeyNotOnePerMinute) {
  TrackerHarness h;
  std::initializer_list<double> bad = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
  h.Feed(bad);
  EXPECT_EQ(h.tracker().Incidents().size(), 1u);
  EXPECT_EQ(h.tracker().Incidents()[0].points, 10u);
}

TEST(AnomalyTrackerTest, AFlappingSeriesReopensTheSameIncidentWithinTheCooldown) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9});
  h.Feed({0, 0, 0, 0, 0, 0});  // resolved
  ASSERT_EQ(h.tracker().Incidents()[0].state, AnomalyState::kResolved);
  std::string id = h.tracker().Incidents()[0].id;
  EXPECT_EQ(h.Feed({0.9}), 1);  // back within 15 min: same incident, firing at once
  auto inc = h.tracker().Incidents();
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_EQ(inc[0].id, id);
  EXPECT_EQ(inc[0].state, AnomalyState::kFiring);
}

TEST(AnomalyTrackerTest, ABreachAfterTheCooldownIsANewIncident) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9});
  for (int i = 0; i < 30; ++i) h.Feed({0});
  h.Feed({0.9, 0.9, 0.9});
  auto inc = h.tracker().Incidents();
  ASSERT_EQ(inc.size(), 2u);
  EXPECT_NE(inc[0].id, inc[1].id);
  EXPECT_EQ(inc[0].state, AnomalyState::kResolved);
  EXPECT_EQ(inc[1].state, AnomalyState::kFiring);
}

TEST(AnomalyTrackerTest, DifferentModelsAreDifferentIncidents) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9}, "a");
  h.Feed({0.9, 0.9, 0.9}, "b");
  EXPECT_EQ(h.tracker().Incidents().size(), 2u);
}

TEST(AnomalyTrackerTest, LearningPointsNeverFire) {
  AnomalyTracker t;
  for (int i = 0; i < 10; ++i) {
    AnomalyTracker::Point p;
    p.ts = i * kMin;
    p.output.score = 1;
    p.output.learning = true;
    EXPECT_FALSE(t.Observe("m", "x", AnomalyKind::kSpike, "d", p));
  }
  EXPECT_TRUE(t.Incidents().empty());
}

TEST(AnomalyTrackerTest, AdvanceToClosesIncidentsOfSeriesThatStoppedReporting) {
  TrackerHarness h;
  h.Feed({0.9, 0.9, 0.9});
  h.tracker().AdvanceTo(h.minute() * kMin + 10 * kMin);
  EXPECT_EQ(h.tracker().Incidents()[0].state, AnomalyState::kResolved);
}

TEST(AnomalyTrackerTest, SeverityGrowsWithSizeAndDuration) {
  EXPECT_EQ(AnomalyTracker::SeverityFor(0.1, kMin, 0.6), Severity::kLow);
  EXPECT_EQ(AnomalyTracker::SeverityFor(0.4, kMin, 0.6), Severity::kMedium);
  EXPECT_EQ(AnomalyTracker::SeverityFor(0.1, 45 * kMin, 0.6), Severity::kMedium);
  EXPECT_EQ(AnomalyTracker::SeverityFor(1.5, kMin, 0.6), Severity::kHigh);
  EXPECT_EQ(AnomalyTracker::SeverityFor(2.5, 15 * kMin, 0.6), Severity::kCritical);
  EXPECT_EQ(AnomalyTracker::SeverityFor(5, kMin, 0.6), Severity::kCritical);
}

TEST(AnomalyTrackerTest, IdsAreStableAndDistinct) {
  EXPECT_EQ(MakeAnomalyId("m", "x", AnomalyKind::kSpike, 5),
            MakeAnomalyId("m", "x", AnomalyKind::kSpike, 5));
  EXPECT_NE(MakeAnomalyId("m", "x", AnomalyKind::kSpike, 5),
            MakeAnomalyId("m", "x", AnomalyKind::kSpike, 6));
  EXPECT_NE(MakeAnomalyId("ab", "c", AnomalyKind::kSpike, 5),
            MakeAnomalyId("a", "bc", AnomalyKind::kSpike, 5));
}

}  // namespace
}  // namespace inferscope
