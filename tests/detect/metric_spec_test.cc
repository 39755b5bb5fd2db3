#include "detect/metric_spec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "detect/detection_engine.h"

namespace inferscope {
namespace {

BucketStats FourRequests() {
  BucketStats b;
  for (int i = 0; i < 4; ++i) {
    Event e;
    e.model = "m";
    e.status = i == 3 ? EventStatus::kTimeout : EventStatus::kOk;
    e.Set(EventField::kLatencyMs, 100.0 * (i + 1));
    e.Set(EventField::kTtftMs, 10.0 * (i + 1));
    e.Set(EventField::kQueueDepth, i);
    e.Set(EventField::kMemoryUsedGb, 20);
    e.Set(EventField::kInputTokens, 100);
    if (i < 2) e.Set(EventField::kOutputTokens, 50);
    b.Add(e);
  }
  return b;
}

double Extract(std::string_view name, const BucketStats& b) {
  const MetricExtractor* e = FindMetricExtractor(name);
  EXPECT_NE(e, nullptr) << name;
  return e == nullptr ? NAN : e->extract(b);
}

TEST(MetricSpecTest, KnownExtractorsReadTheBucket) {
  const BucketStats b = FourRequests();
  EXPECT_DOUBLE_EQ(Extract("error_rate", b), 0.25);
  EXPECT_DOUBLE_EQ(Extract("requests", b), 4);
  EXPECT_DOUBLE_EQ(Extract("ttft_ms", b), 25);
  EXPECT_DOUBLE_EQ(Extract("queue_depth", b), 1.5);
  EXPECT_DOUBLE_EQ(Extract("memory_used_gb", b), 20);
  EXPECT_DOUBLE_EQ(Extract("tokens_per_request", b), 100 + 50);  // mean input + mean output
  EXPECT_NEAR(Extract("latency_p99_ms", b), b.latency_ms.Quantile(0.99), 1e-9);
  EXPECT_NEAR(Extract("latency_p50_ms", b), b.latency_ms.Quantile(0.5), 1e-9);
  EXPECT_TRUE(std::isnan(Extract("gpu_util", b)));  // not reported
  EXPECT_TRUE(std::isnan(Extract("cost_usd", b)));
  EXPECT_EQ(FindMetricExtractor("latency_p42_ms"), nullptr);
  // gpu_util is gated on a queue of at least 1 (mean queue here: 1.5).
  EXPECT_TRUE(FindMetricExtractor("gpu_util")->gate(b));
}

TEST(MetricSpecTest, EveryDefaultMetricIsAKnownExtractorWithTheSameReader) {
  std::set<std::string> names;
  for (std::string_view n : MetricExtractorNames()) names.insert(std::string(n));
  const BucketStats b = FourRequests();
  for (const MetricSpec& s : DefaultMetricSpecs()) {
    ASSERT_TRUE(names.count(s.metric)) << s.metric;
    const MetricExtractor* e = FindMetricExtractor(s.metric);
    EXPECT_EQ(e->extract, s.extract) << s.metric;
    EXPECT_EQ(e->gate, s.gate) << s.metric;
  }
}

TEST(MetricSpecTest, MultivariateSpecsAreRecognisedByTheirDetectorLine) {
  MetricSpec mv = MultivariateMetricSpec("threshold=0.8");
  EXPECT_TRUE(IsMultivariate(mv));
  EXPECT_EQ(mv.metric, "multivariate");
  EXPECT_EQ(mv.kind, AnomalyKind::kOutlier);
  EXPECT_EQ(mv.detectors[0], "isolation_forest threshold=0.8");
  mv.detectors = {"  isolation_forest"};
  EXPECT_TRUE(IsMultivariate(mv));
  mv.detectors = {"isolation_forestx"};
  EXPECT_FALSE(IsMultivariate(mv));
  mv.detectors = {"isolation_forest", "robust_z"};
  EXPECT_FALSE(IsMultivariate(mv));
  EXPECT_TRUE(DetectionEngine::Create({MultivariateMetricSpec()}).ok());
}

}  // namespace
}  // namespace inferscope
