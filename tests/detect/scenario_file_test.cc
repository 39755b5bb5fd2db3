#include "detect/scenario_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "detect/detector_factory.h"

namespace inferscope {
namespace {

TEST(ScenarioFileTest, GeneratesSegmentsAndModifiers) {
  Result<Scenario> s = ParseScenario(
      "# demo\n"
      "detector: zscore\n"
      "step: 5m\n"
      "series: constant(value=3, n=2) then ramp(from=0, to=10, n=3) then values(1, nan, 2)\n"
      "series: nan(n=1) then set(1, 9) then add(2..3, 1) then set(9..10, 7)\n",
      "demo.scenario");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->description, "demo");
  EXPECT_EQ(s->step_ns, 5 * kNanosPerMinute);
  const std::vector<double> want = {3, 9, 1, 6, 10, 1, NAN, 2, NAN, 7, 7};
  ASSERT_EQ(s->values.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(s->values[i])) << i;
    } else {
      EXPECT_DOUBLE_EQ(s->values[i], want[i]) << i;
    }
  }
}

TEST(ScenarioFileTest, NoiseIsReproducibleAndSinesContinue) {
  const char* text =
      "detector: zscore\n"
      "series: noise(mean=10, sd=2, n=1000, seed=3) then sine(mean=0, amp=1, period=4, n=4)\n";
  Result<Scenario> a = ParseScenario(text, "a");
  Result<Scenario> b = ParseScenario(text, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->values, b->values);
  double sum = 0;
  for (int i = 0; i < 1000; ++i) sum += a->values[i];
  EXPECT_NEAR(sum / 1000, 10, 0.3);
  // Index 1000 is a multiple of the period: sin(0) = 0, then 1.
  EXPECT_NEAR(a->values[1000], 0, 1e-9);
  EXPECT_NEAR(a->values[1001], 1, 1e-9);
}

TEST(ScenarioFileTest, ErrorsNameTheFileAndLine) {
  Result<Scenario> s = ParseScenario("detector: zscore\nseries: wobble(n=3)\n", "x.scenario");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("x.scenario:2:"), std::string::npos);
  EXPECT_FALSE(ParseScenario("series: constant(value=1, n=3)\n", "y").ok());
  EXPECT_FALSE(ParseScenario("detector: bogus\nseries: constant(value=1, n=3)\n", "y").ok());
  EXPECT_FALSE(ParseScenario("detector: zscore\nseries: constant(value=1, n=3)\n"
                             "expect: fire_between 9\n",
                             "y")
                   .ok());
}

TEST(ScenarioFileTest, CheckReportsEachFailedExpectationWithItsLine) {
  Result<Scenario> s = ParseScenario(
      "detector: zscore\n"
      "series: constant(value=1, n=5)\n"
      "expect: fire_between 1 2\n"
      "expect: quiet 0..\n"
      "expect: max_score_in 0..4 0.1\n"
      "expect: learning_until 3\n"
      "expect: quiet 3..9\n",
      "c.scenario");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<DetectorOutput> out(5);
  for (auto& o : out) o.learning = false;
  out[0].learning = true;
  out[4].score = 0.9;
  const std::vector<std::string> failures = CheckScenario(*s, out);
  ASSERT_EQ(failures.size(), 5u);
  EXPECT_NE(failures[0].find("c.scenario:3:"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("first fire after is at point 4"), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("c.scenario:4:"), std::string::npos);
  EXPECT_NE(failures[2].find("c.scenario:5:"), std::string::npos);
  EXPECT_NE(failures[3].find("point 1 is not learning"), std::string::npos) << failures[3];
  EXPECT_NE(failures[4].find("past the end"), std::string::npos);
}

}  // namespace
}  // namespace inferscope

namespace inferscope {
namespace {

TEST(ScenarioFileLifecycleTest, ReportsTheIncidentsSeenWhenALifecycleExpectationFails) {
  auto s = ParseScenario(
      "detector: threshold threshold=0.05\n"
      "tracker: pending_for=0 resolve_after=3m\n"
      "series: constant(value=0.01, n=50) then set(10..14, 0.3)\n"
      "expect: incidents 1\n"
      "expect: incidents 2\n"
      "expect: incident 10..14\n"
      "expect: incident 10..\n"
      "expect: fired_at 10\n",
      "mem.scenario");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto detector = ParseDetectorSpec(s->detector_spec);
  ASSERT_TRUE(detector.ok());
  auto outputs = RunScenario(*s, **detector);
  std::vector<std::string> failures = CheckScenario(*s, outputs);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("mem.scenario:5:"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("[10..14 fired at 10]"), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("mem.scenario:7:"), std::string::npos) << failures[1];
}

TEST(ScenarioFileLifecycleTest, RejectsUnknownTrackerOptions) {
  auto s = ParseScenario("detector: threshold\ntracker: snooze=5m\nseries: nan(n=3)\n", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("snooze"), std::string::npos);
}

}  // namespace
}  // namespace inferscope
