#include "demo/incident_schedule.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

DemoOptions AllIncidents(uint64_t seed) {
  DemoOptions options;
  options.seed = seed;
  options.incidents.assign(AllIncidentKinds().begin(), AllIncidentKinds().end());
  return options;
}

TEST(IncidentScheduleTest, PlacesWindowsApartAfterTheBaselineAndInsideTheSpan) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    const DemoOptions options = AllIncidents(seed);
    auto incidents = ScheduleIncidents(options, BuiltinModelProfiles());
    ASSERT_TRUE(incidents.ok()) << incidents.status().ToString();
    ASSERT_EQ(incidents->size(), 8u);
    TimestampNs previous_end = 0;
    for (const ScheduledIncident& inc : *incidents) {
      const IncidentLabel& l = inc.label;
      EXPECT_GE(l.start_ns, options.start_ns + options.duration_ns / 5);
      EXPECT_LE(l.end_ns, options.start_ns + options.duration_ns);
      EXPECT_EQ(l.start_ns % kNanosPerSecond, 0);
      EXPECT_EQ(l.end_ns % kNanosPerSecond, 0);
      const int64_t length = l.end_ns - l.start_ns;
      if (l.kind == IncidentKind::kLatencyDrift) {
        EXPECT_GE(length, 3 * kNanosPerHour);
        EXPECT_LE(length, 6 * kNanosPerHour);
      } else {
        EXPECT_GE(length, 10 * kNanosPerMinute);
        EXPECT_LE(length, 40 * kNanosPerMinute);
      }
      if (previous_end != 0) {
        EXPECT_GE(l.start_ns - previous_end, 30 * kNanosPerMinute);
      }
      previous_end = l.end_ns;
      EXPECT_FALSE(l.description.empty());
    }
  }
}

TEST(IncidentScheduleTest, PicksModelsThatCanShowTheIncident) {
  const auto& models = BuiltinModelProfiles();
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    auto incidents = ScheduleIncidents(AllIncidents(seed), models);
    ASSERT_TRUE(incidents.ok());
    for (const ScheduledIncident& inc : *incidents) {
      const IncidentKind kind = inc.label.kind;
      if (inc.model_index < 0) {
        EXPECT_EQ(kind, IncidentKind::kTrafficDrop);
        EXPECT_EQ(inc.label.model, "*");
        continue;
      }
      const ModelProfile& m = models[inc.model_index];
      EXPECT_EQ(inc.label.model, m.name);
      if (kind == IncidentKind::kGpuUnderutil || kind == IncidentKind::kPoorBatching) {
        EXPECT_TRUE(m.self_hosted);
      }
      if (kind == IncidentKind::kCostSpike) {
        EXPECT_TRUE(m.produces_output());
      }
    }
  }
}

TEST(IncidentScheduleTest, SameSeedSameScheduleOtherSeedOther) {
  auto a = ScheduleIncidents(AllIncidents(3), BuiltinModelProfiles());
  auto b = ScheduleIncidents(AllIncidents(3), BuiltinModelProfiles());
  auto c = ScheduleIncidents(AllIncidents(4), BuiltinModelProfiles());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].label.start_ns, (*b)[i].label.start_ns);
    EXPECT_EQ((*a)[i].label.description, (*b)[i].label.description);
  }
  EXPECT_NE((*a)[0].label.start_ns, (*c)[0].label.start_ns);
}

TEST(IncidentScheduleTest, ShrinksToFitAShortSpan) {
  DemoOptions options = AllIncidents(1);
  options.duration_ns = 6 * kNanosPerHour;
  auto incidents = ScheduleIncidents(options, BuiltinModelProfiles());
  ASSERT_TRUE(incidents.ok()) << incidents.status().ToString();
  TimestampNs previous_end = 0;
  for (const ScheduledIncident& inc : *incidents) {
    EXPECT_GE(inc.label.start_ns, previous_end);
    EXPECT_GE(inc.label.end_ns - inc.label.start_ns, 2 * kNanosPerMinute);
    EXPECT_LE(inc.label.end_ns, options.start_ns + options.duration_ns);
    previous_end = inc.label.end_ns;
  }
}

TEST(IncidentScheduleTest, RejectsASpanTooShortForTheIncidents) {
  DemoOptions options = AllIncidents(1);
  options.duration_ns = 20 * kNanosPerMinute;
  auto incidents = ScheduleIncidents(options, BuiltinModelProfiles());
  ASSERT_FALSE(incidents.ok());
  EXPECT_EQ(incidents.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(incidents.status().message().find("too short"), std::string::npos);
}

TEST(IncidentScheduleTest, RejectsKindNoModelCanShow) {
  DemoOptions options;
  options.incidents = {IncidentKind::kGpuUnderutil};
  auto hosted = ModelProfilesFor({"gpt-4o-mini"});
  ASSERT_TRUE(hosted.ok());
  auto incidents = ScheduleIncidents(options, *hosted);
  ASSERT_FALSE(incidents.ok());
  EXPECT_NE(incidents.status().message().find("gpu_underutil"), std::string::npos);
}

TEST(IncidentScheduleTest, NoIncidentsNoSchedule) {
  auto incidents = ScheduleIncidents(DemoOptions{}, BuiltinModelProfiles());
  ASSERT_TRUE(incidents.ok());
  EXPECT_TRUE(incidents->empty());
}

}  // namespace
}  // namespace inferscope
