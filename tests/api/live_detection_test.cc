#include "api/live_detection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "detect/metric_spec.h"
#include "ingest/event_batch.h"
#include "store/embedded_store.h"

namespace inferscope {
namespace {

constexpr TimestampNs kStart = 1'700'000'040 * kNanosPerSecond / kNanosPerMinute * kNanosPerMinute;

class LiveDetectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/live_detection_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    live_.reset();
    metadata_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    EmbeddedStoreOptions options;
    options.data_dir = dir_ + "/store";
    options.clock = &clock_;
    auto store = EmbeddedStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto metadata = MetadataStore::Open(dir_ + "/metadata.db");
    ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
    metadata_ = std::move(metadata).value();
    auto engine = DetectionEngine::Create(DefaultMetricSpecs());
    ASSERT_TRUE(engine.ok());
    live_ = std::make_unique<LiveDetection>(std::move(engine).value(), store_.get(),
                                            metadata_.get(), &clock_);
  }

  // One minute of traffic for `model`: 60 requests with the given median latency, every
  // `error_every`-th one failed (0: none).
  void Minute(TimestampNs minute, std::string_view model, double latency_ms, int error_every = 0) {
    EventBatch batch;
    for (int i = 0; i < 60; ++i) {
      Event e;
      e.timestamp_ns = minute + i * kNanosPerSecond;
      e.model = model;
      if (error_every > 0 && i % error_every == 0) e.status = EventStatus::kError;
      e.Set(EventField::kLatencyMs, latency_ms * (0.9 + 0.2 * noise_(rng_)));
      e.Set(EventField::kBatchSize, 8);
      batch.OnEvent(e);
    }
    ASSERT_TRUE(store_->Append(batch.events()).ok());
    live_->OnEvents(batch.events());
  }

  std::string dir_;
  ManualClock clock_{kStart};
  std::mt19937 rng_{3};
  std::uniform_real_distribution<double> noise_{0.0, 1.0};
  std::unique_ptr<EmbeddedStore> store_;
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<LiveDetection> live_;
};

TEST_F(LiveDetectionTest, ALatencySpikeFiresIsExplainedAndPersisted) {
  std::vector<Anomaly> changed;
  for (int m = 0; m < 240; ++m) {
    TimestampNs minute = kStart + m * kNanosPerMinute;
    double latency = (m >= 200 && m < 215) ? 900 : 100;
    Minute(minute, "llama", latency);
    clock_.Set(minute + kNanosPerMinute);
    for (Anomaly& a : live_->Tick(clock_.Now())) changed.push_back(a);
  }
  const Anomaly* spike = nullptr;
  for (const Anomaly& a : changed) {
    if (a.model == "llama" && a.kind == AnomalyKind::kLatencySpike &&
        a.state == AnomalyState::kFiring) {
      spike = &a;
    }
  }
  ASSERT_NE(spike, nullptr) << "no firing latency spike among " << changed.size() << " changes";
  EXPECT_GE(spike->start_ns, kStart + 200 * kNanosPerMinute);
  EXPECT_LE(spike->start_ns, kStart + 203 * kNanosPerMinute);
  EXPECT_FALSE(spike->summary.empty());
  EXPECT_FALSE(spike->recommendation.empty());
  auto stored = metadata_->GetAnomaly(spike->id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  // The store holds the latest version of the incident (here: resolved).
  const Anomaly* latest = nullptr;
  for (const Anomaly& a : changed) {
    if (a.id == spike->id) latest = &a;
  }
  EXPECT_EQ((*stored)->summary, latest->summary);
  EXPECT_EQ((*stored)->state, std::string(AnomalyStateName(latest->state)));
  // Nothing fired during the quiet baseline.
  for (const Anomaly& a : changed) {
    EXPECT_GE(a.start_ns, kStart + 200 * kNanosPerMinute) << a.id << " " << a.metric;
  }
  // It resolves after the spike ends.
  bool resolved = false;
  for (const Anomaly& a : changed) {
    resolved |= a.id == spike->id && a.state == AnomalyState::kResolved;
  }
  EXPECT_TRUE(resolved);
  auto firing = live_->FiringCounts();
  EXPECT_EQ(firing.count({"latency_spike", std::string(SeverityName(spike->severity))}), 0u);
}

TEST_F(LiveDetectionTest, EventsForJudgedBucketsAreCountedLateNotJudged) {
  Minute(kStart, "m", 100);
  clock_.Set(kStart + 10 * kNanosPerMinute);
  live_->Tick(clock_.Now());
  EXPECT_EQ(live_->late_events(), 0u);
  Minute(kStart + kNanosPerMinute, "m", 100);  // its bucket was judged at the tick
  EXPECT_EQ(live_->late_events(), 60u);
}

TEST_F(LiveDetectionTest, ACheckpointRestoresBaselinesAndResumesFromTheStore) {
  for (int m = 0; m < 180; ++m) {
    Minute(kStart + m * kNanosPerMinute, "llama", 100);
    clock_.Set(kStart + (m + 1) * kNanosPerMinute);
    live_->Tick(clock_.Now());
  }
  ASSERT_TRUE(live_->Checkpoint().ok());
  TimestampNs judged = live_->last_closed_bucket();
  // Acknowledged after the checkpoint, then the process dies.
  for (int m = 180; m < 190; ++m) Minute(kStart + m * kNanosPerMinute, "llama", 900);
  live_.reset();
  metadata_.reset();
  store_.reset();
  clock_.Set(kStart + 191 * kNanosPerMinute);
  Open();
  ASSERT_TRUE(live_->Restore().ok());
  EXPECT_EQ(live_->last_closed_bucket(), judged);
  // The restored engine has its baseline (no relearning), and the spike written before the
  // crash is read back from the store and caught.
  std::vector<Anomaly> changed = live_->Tick(clock_.Now());
  bool caught = false;
  for (const Anomaly& a : changed) caught |= a.kind == AnomalyKind::kLatencySpike;
  EXPECT_TRUE(caught) << changed.size() << " changes after restore";
}

TEST_F(LiveDetectionTest, MetricsBreakingTogetherShareAnIncidentInMemoryAndInTheStore) {
  for (int m = 0; m < 240; ++m) {
    const TimestampNs minute = kStart + m * kNanosPerMinute;
    const bool bad = m >= 200 && m < 215;
    Minute(minute, "llama", bad ? 900 : 100, bad ? 3 : 0);
    clock_.Set(minute + kNanosPerMinute);
    (void)live_->Tick(clock_.Now());
  }
  std::map<std::string, std::string> incident_of;  // "model metric" -> incident
  for (const Anomaly& a : live_->Anomalies()) {
    incident_of[a.model + " " + a.metric] = a.incident;
    auto stored = metadata_->GetAnomaly(a.id);
    ASSERT_TRUE(stored.ok() && stored->has_value()) << a.id;
    EXPECT_EQ((*stored)->incident, a.incident) << a.id;
  }
  ASSERT_TRUE(incident_of.count("llama latency_p95_ms"));
  ASSERT_TRUE(incident_of.count("llama error_rate"));
  ASSERT_TRUE(incident_of.count("* error_rate"));
  const std::string& incident = incident_of["llama latency_p95_ms"];
  EXPECT_EQ(incident.rfind("i-", 0), 0u) << incident;
  EXPECT_EQ(incident_of["llama error_rate"], incident);
  EXPECT_EQ(incident_of["* error_rate"], incident);
}

}  // namespace
}  // namespace inferscope
