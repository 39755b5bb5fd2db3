#include "detect/detection_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/crc32c.h"

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

TEST(DetectionEngineTest, ACheckpointResumesTheSpecsStillConfiguredAndNewOnesLearn) {
  const std::vector<MetricSpec> defaults = DefaultMetricSpecs();
  // Before: the defaults without their last metric; after: that metric added first and the
  // latency p95 detector re-configured (its old state does not fit and is dropped).
  std::vector<MetricSpec> before(defaults.begin(), defaults.end() - 1);
  std::vector<MetricSpec> after = defaults;
  std::rotate(after.begin(), after.end() - 1, after.end());
  auto a = std::move(DetectionEngine::Create(before)).value();
  Feed(*a, 0, 80);
  const std::string checkpoint = a->SaveCheckpoint();

  auto b = std::move(DetectionEngine::Create(after)).value();
  ASSERT_TRUE(b->LoadCheckpoint(checkpoint).ok());
  EXPECT_EQ(b->series_count(), a->series_count());
  // The restored latency series fires on the same minute as the uninterrupted engine.
  Feed(*a, 80, 120, 90, 100);
  Feed(*b, 80, 120, 90, 100);
  ASSERT_EQ(a->Anomalies().size(), 1u);
  ASSERT_EQ(b->Anomalies().size(), 1u);
  EXPECT_EQ(a->Anomalies()[0].start_ns, b->Anomalies()[0].start_ns);

  std::vector<MetricSpec> retuned = defaults;
  ASSERT_EQ(retuned[0].metric, "latency_p95_ms");
  retuned[0].detectors[0] += " ";  // another detector line: another identity
  auto c = std::move(DetectionEngine::Create(retuned)).value();
  ASSERT_TRUE(c->LoadCheckpoint(checkpoint).ok());
  EXPECT_LT(c->series_count(), a->series_count());  // the latency series was not restored
  Feed(*c, 80, 120, 90, 100);
  EXPECT_TRUE(c->Anomalies().empty()) << "a fresh latency series is still learning";
}

// A minute with errors: `n` requests, a fraction `errors` failing, latency around `latency`.
BucketStats MinuteWithErrors(std::mt19937_64& rng, int n, double latency, double errors) {
  std::normal_distribution<double> noise(0, latency * 0.05);
  std::uniform_real_distribution<double> u(0, 1);
  BucketStats b;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.model = "m";
    e.status = u(rng) < errors ? EventStatus::kError : EventStatus::kOk;
    e.Set(EventField::kLatencyMs, latency + noise(rng));
    e.Set(EventField::kQueueDepth, 1 + u(rng));
    e.Set(EventField::kGpuUtil, 60 + 10 * u(rng));
    b.Add(e);
  }
  return b;
}

std::vector<MetricSpec> MultivariateOnly() {
  return {
      MultivariateMetricSpec("window=200 min_train=60 retrain_every=20 trees=32 threshold=0.7")};
}

void FeedJoint(DetectionEngine& engine, int from, int to, int bad_from = -1, int bad_to = -1) {
  std::mt19937_64 rng(static_cast<uint64_t>(from) + 7);
  for (int m = from; m < to; ++m) {
    const bool bad = m >= bad_from && m < bad_to;
    engine.Observe("m", kT0 + m * kNanosPerMinute,
                   MinuteWithErrors(rng, 60, bad ? 700 : 300, bad ? 0.3 : 0.01));
  }
}

TEST(DetectionEngineTest, TheMultivariateMetricCatchesAJointMoveAndNamesTheFeatures) {
  auto engine = std::move(DetectionEngine::Create(MultivariateOnly())).value();
  FeedJoint(*engine, 0, 60, 30, 40);  // learning: never fires
  EXPECT_TRUE(engine->Anomalies().empty());
  FeedJoint(*engine, 60, 300, 200, 210);
  auto anomalies = engine->Anomalies();
  ASSERT_EQ(anomalies.size(), 1u);
  const Anomaly& a = anomalies[0];
  EXPECT_EQ(a.metric, "multivariate");
  EXPECT_EQ(a.kind, AnomalyKind::kOutlier);
  EXPECT_EQ(a.detector, "isolation_forest");
  EXPECT_EQ(a.start_ns, kT0 + 200 * kNanosPerMinute);
  EXPECT_EQ(a.state, AnomalyState::kResolved);
  EXPECT_GT(a.observed, a.expected);  // isolation score vs the training rows' median
  EXPECT_NE(a.details.find("latency_p95_ms"), std::string::npos) << a.details;
  EXPECT_NE(a.details.find("error_rate"), std::string::npos) << a.details;
  EXPECT_EQ(engine->series_count(), 1u);
  EXPECT_LE(engine->StateBytes(), 300u * 1024);
}

TEST(DetectionEngineTest, AMultivariateCheckpointRestoresExactly) {
  std::vector<MetricSpec> specs = DefaultMetricSpecs();
  specs.push_back(MultivariateOnly()[0]);
  auto a = std::move(DetectionEngine::Create(specs)).value();
  FeedJoint(*a, 0, 130);
  std::string checkpoint = a->SaveCheckpoint();
  auto b = std::move(DetectionEngine::Create(specs)).value();
  ASSERT_TRUE(b->LoadCheckpoint(checkpoint).ok());
  EXPECT_EQ(b->SaveCheckpoint(), checkpoint);
  FeedJoint(*a, 130, 300, 250, 260);
  FeedJoint(*b, 130, 300, 250, 260);
  auto x = a->Anomalies(), y = b->Anomalies();
  ASSERT_EQ(x.size(), y.size());
  bool multivariate = false;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].id, y[i].id);
    EXPECT_EQ(x[i].observed, y[i].observed);
    EXPECT_EQ(x[i].details, y[i].details);
    multivariate |= x[i].metric == "multivariate";
  }
  EXPECT_TRUE(multivariate);
  EXPECT_EQ(b->SaveCheckpoint(), a->SaveCheckpoint());
  // Without the multivariate metric configured, its states are dropped and the rest resume.
  auto plain = std::move(DetectionEngine::Create(DefaultMetricSpecs())).value();
  ASSERT_TRUE(plain->LoadCheckpoint(checkpoint).ok());
  EXPECT_LT(plain->series_count(), a->series_count());
  EXPECT_GT(plain->series_count(), 0u);
  // A configuration with no spec in common refuses it.
  auto naive = std::move(DetectionEngine::Create(NaiveMetricSpecs())).value();
  EXPECT_EQ(naive->LoadCheckpoint(checkpoint).code(), StatusCode::kInvalidArgument);
}

// Rewrites a version-3 checkpoint as version `version` (1 or 2): spec identities become bare
// metric names (the older layouts are otherwise the same; 1 has no multivariate entries).
std::string AsOldVersion(const std::string& v3, const std::vector<MetricSpec>& specs,
                         uint32_t version) {
  auto u32 = [](const std::string& b, size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, b.data() + at, 4);
    return v;
  };
  auto put32 = [](std::string* b, uint32_t v) { b->append(reinterpret_cast<const char*>(&v), 4); };
  std::string out = v3.substr(0, 8);
  put32(&out, version);
  const uint32_t n = u32(v3, 12);
  put32(&out, n);
  size_t at = 16;
  for (uint32_t i = 0; i < n; ++i) {
    at += 4 + u32(v3, at);
    put32(&out, static_cast<uint32_t>(specs[i].metric.size()));
    out += specs[i].metric;
  }
  out += v3.substr(at, v3.size() - 4 - at);
  const uint32_t crc = Crc32c(out.data(), out.size());
  put32(&out, crc);
  return out;
}

TEST(DetectionEngineTest, VersionOneAndTwoCheckpointsStillLoadWithTheSameMetricList) {
  const std::vector<MetricSpec> specs = DefaultMetricSpecs();
  auto a = std::move(DetectionEngine::Create(specs)).value();
  Feed(*a, 0, 60);
  const std::string v3 = a->SaveCheckpoint();
  uint32_t version = 0;
  std::memcpy(&version, v3.data() + 8, 4);
  EXPECT_EQ(version, 3u);
  for (uint32_t old : {1u, 2u}) {
    auto b = std::move(DetectionEngine::Create(specs)).value();
    ASSERT_TRUE(b->LoadCheckpoint(AsOldVersion(v3, specs, old)).ok()) << old;
    EXPECT_EQ(b->SaveCheckpoint(), v3) << old;
    // Names only: a different metric list cannot be matched, so it is refused.
    std::vector<MetricSpec> fewer(specs.begin(), specs.end() - 1);
    auto c = std::move(DetectionEngine::Create(fewer)).value();
    EXPECT_EQ(c->LoadCheckpoint(AsOldVersion(v3, specs, old)).code(), StatusCode::kInvalidArgument);
  }
  std::string v4 = v3.substr(0, v3.size() - 4);
  version = 4;
  std::memcpy(v4.data() + 8, &version, 4);
  const uint32_t crc4 = Crc32c(v4.data(), v4.size());
  v4.append(reinterpret_cast<const char*>(&crc4), 4);
  auto b = std::move(DetectionEngine::Create(specs)).value();
  EXPECT_EQ(b->LoadCheckpoint(v4).code(), StatusCode::kInvalidArgument);
}

TEST(DetectionEngineTest, BadMultivariateOptionsNameTheMetric) {
  auto engine = DetectionEngine::Create({MultivariateMetricSpec("threshold=2")});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("multivariate"), std::string::npos);
  EXPECT_TRUE(IsMultivariate(MultivariateMetricSpec()));
  EXPECT_FALSE(IsMultivariate(DefaultMetricSpecs()[0]));
}

}  // namespace
}  // namespace inferscope
