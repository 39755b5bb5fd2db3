#include "detect/detector_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "detect/detection_engine.h"

namespace inferscope {
namespace {

const MetricSpec* Find(const DetectorConfig& c, std::string_view metric) {
  for (const MetricSpec& s : c.specs) {
    if (s.metric == metric) return &s;
  }
  return nullptr;
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string ErrorOf(std::string_view yaml) {
  Result<DetectorConfig> c = ParseDetectorConfig(yaml, "d.yaml");
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(DetectorConfigTest, TheExampleFileLoadsAndBuildsAnEngine) {
  Result<DetectorConfig> c =
      LoadDetectorConfig(std::string(INFERSCOPE_SOURCE_DIR) + "/examples/detectors.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tracker.pending_for_ns, 2 * kNanosPerMinute);
  EXPECT_EQ(c->tracker.resolve_after_ns, 5 * kNanosPerMinute);
  EXPECT_EQ(c->tracker.cooldown_ns, 15 * kNanosPerMinute);
  EXPECT_EQ(c->tracker.fire_threshold, 0.5);
  EXPECT_EQ(c->tracker.resolve_threshold, 0.3);
  EXPECT_EQ(Find(*c, "quality_score"), nullptr);
  const MetricSpec* p99 = Find(*c, "latency_p99_ms");
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(p99->kind, AnomalyKind::kLatencySpike);
  EXPECT_EQ(p99->min_requests, 20u);
  EXPECT_EQ(p99->ensemble.direction, Direction::kAbove);
  EXPECT_EQ(p99->ensemble.min_abs_deviation, 10);
  ASSERT_EQ(p99->detectors.size(), 1u);
  EXPECT_EQ(p99->detectors[0], "robust_z window=60 threshold=7 direction=above min_points=20");
  const MetricSpec* errors = Find(*c, "error_rate");
  ASSERT_NE(errors, nullptr);
  EXPECT_TRUE(errors->fleet);
  const MetricSpec* mv = Find(*c, "multivariate");
  ASSERT_NE(mv, nullptr);
  EXPECT_TRUE(IsMultivariate(*mv));
  EXPECT_EQ(mv->kind, AnomalyKind::kOutlier);
  const MetricSpec* gpu = Find(*c, "gpu_util");
  ASSERT_NE(gpu, nullptr);
  EXPECT_NE(gpu->gate, nullptr);
  EXPECT_TRUE(DetectionEngine::Create(c->specs, c->tracker).ok());
}

TEST(DetectorConfigTest, TtftP95CanBeTunedInTheDefaultsAndAddedToOtherBases) {
  Result<DetectorConfig> tuned =
      ParseDetectorConfig("metrics:\n  ttft_p95_ms:\n    min_abs_deviation: 20\n", "d.yaml");
  ASSERT_TRUE(tuned.ok()) << tuned.status().message();
  const MetricSpec* p95 = Find(*tuned, "ttft_p95_ms");
  ASSERT_NE(p95, nullptr);
  EXPECT_EQ(p95->ensemble.min_abs_deviation, 20);
  EXPECT_EQ(p95->ensemble.min_rel_deviation, 0.3);  // the default kept
  EXPECT_EQ(p95->extract, FindMetricExtractor("ttft_p95_ms")->extract);

  Result<DetectorConfig> added = ParseDetectorConfig(
      "base: none\nmetrics:\n  ttft_p95_ms: {detectors: [\"robust_z direction=above\"]}\n",
      "d.yaml");
  ASSERT_TRUE(added.ok()) << added.status().message();
  ASSERT_EQ(added->specs.size(), 1u);
  EXPECT_EQ(added->specs[0].kind, AnomalyKind::kLatencySpike);
  EXPECT_TRUE(DetectionEngine::Create(added->specs, added->tracker).ok());

  Result<DetectorConfig> example =
      LoadDetectorConfig(std::string(INFERSCOPE_SOURCE_DIR) + "/examples/detectors.yaml");
  ASSERT_TRUE(example.ok()) << example.status().message();
  ASSERT_NE(Find(*example, "ttft_p95_ms"), nullptr);
}

TEST(DetectorConfigTest, AnEmptyFileIsTheDefaults) {
  Result<DetectorConfig> c = ParseDetectorConfig("", "d.yaml");
  ASSERT_TRUE(c.ok());
  std::vector<MetricSpec> defaults = DefaultMetricSpecs();
  ASSERT_EQ(c->specs.size(), defaults.size());
  for (size_t i = 0; i < defaults.size(); ++i) {
    EXPECT_EQ(c->specs[i].metric, defaults[i].metric);
    EXPECT_EQ(c->specs[i].detectors, defaults[i].detectors);
  }
  EXPECT_EQ(c->tracker.pending_for_ns, AnomalyTracker::Options{}.pending_for_ns);
}

TEST(DetectorConfigTest, OverridingOneKeyKeepsTheRestOfTheMetric) {
  Result<DetectorConfig> c = ParseDetectorConfig(
      "metrics:\n  latency_p95_ms:\n    min_rel_deviation: 0.5\n  cost_usd:\n", "d.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const MetricSpec* p95 = Find(*c, "latency_p95_ms");
  const MetricSpec def = DefaultMetricSpecs()[0];
  ASSERT_EQ(def.metric, "latency_p95_ms");
  ASSERT_NE(p95, nullptr);
  EXPECT_EQ(p95->ensemble.min_rel_deviation, 0.5);
  EXPECT_EQ(p95->ensemble.min_abs_deviation, def.ensemble.min_abs_deviation);
  EXPECT_EQ(p95->detectors, def.detectors);
  EXPECT_EQ(p95->min_requests, def.min_requests);
  EXPECT_EQ(p95->extract, def.extract);
  EXPECT_NE(Find(*c, "cost_usd"), nullptr);  // "cost_usd:" alone changes nothing
}

TEST(DetectorConfigTest, MinEventsIsSetPerMetricAndErrorRateHasTwoByDefault) {
  Result<DetectorConfig> c = ParseDetectorConfig(
      "metrics:\n  error_rate:\n    min_events: 5\n  cache_hit_rate:\n    min_events: 1.5\n",
      "d.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Find(*c, "error_rate")->min_events, 5);
  EXPECT_EQ(Find(*c, "cache_hit_rate")->min_events, 1.5);
  Result<DetectorConfig> defaults = ParseDetectorConfig("", "d.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(Find(*defaults, "error_rate")->min_events, 2);
  EXPECT_EQ(Find(*defaults, "cache_hit_rate")->min_events, 0);
  EXPECT_EQ(ErrorOf("metrics:\n  error_rate:\n    min_events: -1\n")
                .rfind("d.yaml:3:17: metrics.error_rate.min_events: ", 0),
            0u)
      << ErrorOf("metrics:\n  error_rate:\n    min_events: -1\n");
}

TEST(DetectorConfigTest, TheNaiveAndEmptyBasesStartElsewhere) {
  Result<DetectorConfig> naive = ParseDetectorConfig("base: naive\n", "d.yaml");
  ASSERT_TRUE(naive.ok());
  EXPECT_EQ(naive->specs.size(), NaiveMetricSpecs().size());
  EXPECT_EQ(naive->tracker.pending_for_ns, 0);
  Result<DetectorConfig> none = ParseDetectorConfig(
      "metrics:\n  requests: {detectors: [robust_z], direction: below}\nbase: none\n", "d.yaml");
  ASSERT_TRUE(none.ok()) << none.status().message();
  ASSERT_EQ(none->specs.size(), 1u);
  EXPECT_EQ(none->specs[0].metric, "requests");
  EXPECT_EQ(none->specs[0].kind, AnomalyKind::kTrafficDrop);
  EXPECT_EQ(none->specs[0].ensemble.direction, Direction::kBelow);
}

TEST(DetectorConfigTest, ErrorsNameTheLineColumnAndKey) {
  EXPECT_EQ(ErrorOf("tracker:\n  pending: 2m\n"),
            "d.yaml:2:3: tracker.pending: unknown key (expected pending_for, resolve_after, "
            "cooldown, fire_threshold or resolve_threshold)");
  const std::string duration = ErrorOf("tracker:\n  cooldown: soon\n");
  EXPECT_TRUE(StartsWith(duration, "d.yaml:2:13: tracker.cooldown: ")) << duration;
  std::string bad_option = ErrorOf(
      "metrics:\n  error_rate:\n    detectors:\n      - robust_z window=60\n"
      "      - robust_z windw=60\n");
  EXPECT_TRUE(StartsWith(bad_option, "d.yaml:5:9: metrics.error_rate.detectors[1]: "))
      << bad_option;
  EXPECT_NE(bad_option.find("windw"), std::string::npos) << bad_option;
  std::string unknown = ErrorOf("metrics:\n  latency_p42_ms: {detectors: [robust_z]}\n");
  EXPECT_TRUE(StartsWith(unknown, "d.yaml:2:3: metrics.latency_p42_ms: unknown")) << unknown;
  EXPECT_NE(unknown.find("latency_p99_ms"), std::string::npos);  // lists the known ones
  EXPECT_EQ(ErrorOf("metrics:\n  error_rate:\n    min_requests: -3\n"),
            "d.yaml:3:19: metrics.error_rate.min_requests: '-3' is not a count");
  EXPECT_EQ(ErrorOf("metrics:\n  error_rate:\n    direction: sideways\n"),
            "d.yaml:3:16: metrics.error_rate.direction: 'sideways' is not above, below or both");
  EXPECT_EQ(ErrorOf("metrics:\n  error_rate:\n    per_model: false\n    fleet: false\n"),
            "d.yaml:3:5: metrics.error_rate: watched nowhere: per_model and fleet are both "
            "false");
  EXPECT_EQ(ErrorOf("base: clever\n"), "d.yaml:1:7: base: 'clever' is not default, naive or none");
  EXPECT_EQ(ErrorOf("metric:\n  x: 1\n"),
            "d.yaml:1:1: metric: unknown key (expected base, tracker or metrics)");
  std::string mv = ErrorOf("metrics:\n  multivariate:\n    options: threshold=3\n");
  EXPECT_TRUE(StartsWith(mv, "d.yaml:3:14: metrics.multivariate.options: ")) << mv;
  EXPECT_EQ(ErrorOf("metrics:\n  ttft_ms: {direction: above}\n"),
            "d.yaml:2:12: metrics.ttft_ms: a metric that is not in the base needs detectors");
  // YAML syntax errors carry their position too.
  std::string syntax = ErrorOf("metrics:\n  error_rate: [unclosed\n");
  EXPECT_TRUE(StartsWith(syntax, "d.yaml:")) << syntax;
  EXPECT_EQ(LoadDetectorConfig("/nonexistent/d.yaml").status().code(), StatusCode::kNotFound);
}

TEST(DetectorConfigTest, MultivariateTakesOptionsOrOneDetectorLine) {
  Result<DetectorConfig> a = ParseDetectorConfig(
      "metrics:\n  multivariate: {options: \"threshold=0.8 window=300\"}\n", "d.yaml");
  ASSERT_TRUE(a.ok()) << a.status().message();
  const MetricSpec* mv = Find(*a, "multivariate");
  ASSERT_NE(mv, nullptr);
  EXPECT_EQ(mv->detectors, std::vector<std::string>{"isolation_forest threshold=0.8 window=300"});
  Result<DetectorConfig> b = ParseDetectorConfig(
      "metrics:\n  multivariate:\n    detectors: [\"threshold=0.8\"]\n    enabled: true\n",
      "d.yaml");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_TRUE(IsMultivariate(*Find(*b, "multivariate")));
  Result<DetectorConfig> off =
      ParseDetectorConfig("metrics:\n  multivariate: {enabled: false}\n", "d.yaml");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(Find(*off, "multivariate"), nullptr);
}

TEST(DetectorConfigTest, EveryPrefixAndByteFlipOfTheExampleLoadsOrFailsWithAPosition) {
  Result<DetectorConfig> whole =
      LoadDetectorConfig(std::string(INFERSCOPE_SOURCE_DIR) + "/examples/detectors.yaml");
  ASSERT_TRUE(whole.ok());
  std::string text;
  {
    std::ifstream in(std::string(INFERSCOPE_SOURCE_DIR) + "/examples/detectors.yaml");
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  size_t failures = 0;
  auto check = [&](std::string_view yaml) {
    Result<DetectorConfig> c = ParseDetectorConfig(yaml, "d.yaml");
    if (c.ok()) {
      EXPECT_TRUE(DetectionEngine::Create(c->specs, c->tracker).ok());
    } else {
      ++failures;
      EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
      EXPECT_TRUE(StartsWith(c.status().message(), "d.yaml")) << c.status().message();
    }
  };
  for (size_t n = 0; n <= text.size(); n += 7) check(std::string_view(text).substr(0, n));
  std::mt19937 rng(1);
  for (int i = 0; i < 300; ++i) {
    std::string mutated = text;
    mutated[rng() % mutated.size()] = static_cast<char>(" :-[]{}\"#'x0\n\t"[rng() % 14]);
    check(mutated);
  }
  EXPECT_GT(failures, 0u);  // the mutations do reach the error paths
}

}  // namespace
}  // namespace inferscope
