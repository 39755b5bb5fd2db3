#include "detect/detection_engine.h"

#include <gtest/gtest.h>

#include <random>

namespace inferscope {
namespace {

constexpr TimestampNs kT0 = 1'767'225'600LL * kNanosPerSecond;

// One minute of traffic for a model: `n` requests of latency around `latency`.
BucketStats Minute(std::mt19937_64& rng, int n, double latency, double queue = 1) {
  std::normal_distribution<double> noise(0, latency * 0.05);
  BucketStats b;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.model = "m";
    e.Set(EventField::kLatencyMs, latency + noise(rng));
    e.Set(EventField::kQueueDepth, queue);
    b.Add(e);
  }
  return b;
}

// Feeds minutes [from, to) with a latency spike in [spike_from, spike_to).
void Feed(DetectionEngine& engine, int from, int to, int spike_from = -1, int spike_to = -1) {
  std::mt19937_64 rng(static_cast<uint64_t>(from) + 1);
  for (int m = from; m < to; ++m) {
    bool spike = m >= spike_from && m < spike_to;
    engine.Observe("m", kT0 + m * kNanosPerMinute, Minute(rng, 60, spike ? 1500 : 300));
  }
}

TEST(DetectionEngineTest, DefaultAndNaiveSpecsBuild) {
  EXPECT_TRUE(DetectionEngine::Create(DefaultMetricSpecs()).ok());
  EXPECT_TRUE(DetectionEngine::Create(NaiveMetricSpecs(), NaiveTrackerOptions()).ok());
}

TEST(DetectionEngineTest, RejectsASpecWithABadDetectorNamingTheMetric) {
  std::vector<MetricSpec> specs = DefaultMetricSpecs();
  specs[0].detectors = {"robust_z window=banana"};
  auto engine = DetectionEngine::Create(specs);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("latency_p95_ms"), std::string::npos);
}

TEST(DetectionEngineTest, LearnsBeforeFiringAndCatchesASpike) {
  auto engine = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  Feed(*engine, 0, 10, 5, 10);  // a "spike" while still learning: never fires
  EXPECT_TRUE(engine->Anomalies().empty());
  Feed(*engine, 10, 120, 100, 110);
  auto anomalies = engine->Anomalies();
  ASSERT_EQ(anomalies.size(), 1u);
  EXPECT_EQ(anomalies[0].metric, "latency_p95_ms");
  EXPECT_EQ(anomalies[0].start_ns, kT0 + 100 * kNanosPerMinute);
  EXPECT_LE(engine->StateBytes() / engine->series_count(), 4096u);
}

TEST(DetectionEngineTest, ACheckpointRestoresBaselinesExactly) {
  auto a = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  Feed(*a, 0, 80);
  std::string checkpoint = a->SaveCheckpoint();
  auto b = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  ASSERT_TRUE(b->LoadCheckpoint(checkpoint).ok());
  EXPECT_EQ(b->series_count(), a->series_count());
  // Both continue; a restored engine fires on the same minute as the uninterrupted one,
  // with no new learning period.
  Feed(*a, 80, 120, 90, 100);
  Feed(*b, 80, 120, 90, 100);
  auto x = a->Anomalies(), y = b->Anomalies();
  ASSERT_EQ(x.size(), 1u);
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(x[0].start_ns, y[0].start_ns);
  EXPECT_EQ(x[0].observed, y[0].observed);
  EXPECT_EQ(x[0].expected, y[0].expected);
  EXPECT_EQ(b->SaveCheckpoint(), a->SaveCheckpoint());
}

TEST(DetectionEngineTest, ACorruptCheckpointIsRejectedAndChangesNothing) {
  auto a = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  Feed(*a, 0, 60);
  std::string good = a->SaveCheckpoint();
  auto b = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  for (size_t cut : {size_t{0}, size_t{5}, good.size() / 2, good.size() - 1}) {
    Status st = b->LoadCheckpoint(std::string_view(good).substr(0, cut));
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << cut << " " << st.ToString();
  }
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;
  EXPECT_EQ(b->LoadCheckpoint(flipped).code(), StatusCode::kDataLoss);
  EXPECT_EQ(b->series_count(), 0u);

  auto naive = std::move(DetectionEngine::Create(NaiveMetricSpecs())).value();
  EXPECT_EQ(naive->LoadCheckpoint(good).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferscope
