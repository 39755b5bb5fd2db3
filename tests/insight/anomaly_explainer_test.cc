#include "insight/anomaly_explainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace inferscope {
namespace {

constexpr TimestampNs kT0 = 1'767'225'600LL * kNanosPerSecond;

// `n` streaming requests: latency ~2 s, TTFT lognormal around 80 ms; every `slow_every`-th
// request (0 = none) waits `factor` times as long for its first token.
BucketStats Requests(int n, int slow_every, double factor, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> ttft(std::log(80.0), 0.25);
  BucketStats b;
  for (int i = 0; i < n; ++i) {
    Event e;
    double t = ttft(rng);
    if (slow_every > 0 && i % slow_every == 0) t *= factor;
    e.Set(EventField::kTtftMs, t);
    e.Set(EventField::kLatencyMs, 2000 + t);
    e.Set(EventField::kQueueDepth, 1);
    b.Add(e);
  }
  return b;
}

Anomaly Resolved(std::string metric, double observed, double expected) {
  Anomaly a;
  a.kind = AnomalyKind::kLatencySpike;
  a.model = "m";
  a.metric = std::move(metric);
  a.state = AnomalyState::kResolved;
  a.start_ns = kT0;
  a.end_ns = kT0 + 10 * kNanosPerMinute;
  a.observed = observed;
  a.expected = expected;
  return a;
}

TEST(AnomalyExplainerTest, ATtftP95AnomalyIsNamedAndPointsAtPrefill) {
  const BucketStats baseline = Requests(3000, 0, 1, 1);
  const BucketStats window = Requests(600, 14, 3, 2);
  Anomaly a =
      Resolved("ttft_p95_ms", window.ttft_ms.Quantile(0.95), baseline.ttft_ms.Quantile(0.95));
  AnomalyExplainer().Explain(window, baseline, &a);
  EXPECT_EQ(a.summary.rfind("P95 time to first token of m rose to", 0), 0u) << a.summary;
  EXPECT_NE(a.recommendation.find("prefill"), std::string::npos) << a.recommendation;
  // The anomaly's own metric is not repeated as its cause.
  EXPECT_EQ(a.cause.find("ttft_p95_ms"), std::string::npos) << a.cause;
}

TEST(AnomalyExplainerTest, ALatencyAnomalyNamesTheTtftTailAsAMover) {
  const BucketStats baseline = Requests(3000, 0, 1, 1);
  const BucketStats window = Requests(600, 14, 3, 2);
  // The mean TTFT moved under 20% (not a mover on its own), the p95 by over 50%.
  ASSERT_LT(window.Mean(EventField::kTtftMs), 1.2 * baseline.Mean(EventField::kTtftMs));
  ASSERT_GT(window.ttft_ms.Quantile(0.95), 1.5 * baseline.ttft_ms.Quantile(0.95));
  Anomaly a = Resolved("latency_p95_ms", 2400, 2130);
  AnomalyExplainer().Explain(window, baseline, &a);
  EXPECT_NE(a.cause.find("ttft_p95_ms rose"), std::string::npos) << a.cause;
  EXPECT_NE(a.recommendation.find("prefill or scheduling"), std::string::npos) << a.recommendation;
}

TEST(AnomalyExplainerTest, BucketsWithoutTtftSketchesFallBackToTheMean) {
  // As loaded from BucketStats layout version 1: TTFT sums and counts, no sketch.
  BucketStats baseline = Requests(3000, 0, 1, 1);
  BucketStats window = Requests(600, 1, 2, 2);  // every request twice as slow
  baseline.ttft_ms = DDSketch();
  window.ttft_ms = DDSketch();
  Anomaly a = Resolved("latency_p95_ms", 2400, 2130);
  AnomalyExplainer().Explain(window, baseline, &a);
  EXPECT_NE(a.cause.find("ttft_ms rose"), std::string::npos) << a.cause;
  EXPECT_EQ(a.cause.find("ttft_p95_ms"), std::string::npos) << a.cause;
}

}  // namespace
}  // namespace inferscope
