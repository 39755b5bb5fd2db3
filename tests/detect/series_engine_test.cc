#include "detect/series_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "detect/scenario_file.h"

namespace inferscope {
namespace {

constexpr TimestampNs kT0 = 1'767'225'600LL * kNanosPerSecond;

SeriesSpec Spec(std::string detector = "robust_z window=60 threshold=6 min_points=20") {
  SeriesSpec s;
  s.name = "latency";
  s.kind = AnomalyKind::kLatencySpike;
  s.detectors = {std::move(detector)};
  s.ensemble.direction = Direction::kAbove;
  s.ensemble.min_rel_deviation = 0.3;
  return s;
}

std::vector<Sample> Noise(int n, double mean, double sd, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, sd);
  std::vector<Sample> out;
  for (int i = 0; i < n; ++i) out.push_back({kT0 + i * kNanosPerMinute, mean + noise(rng)});
  return out;
}

bool Same(double x, double y) {
  return std::memcmp(&x, &y, sizeof(double)) == 0 || (std::isnan(x) && std::isnan(y));
}

// --- Scenario files: tests/detect/scenarios/series/*.scenario through a SeriesEngine. ---

std::vector<std::string> SeriesScenarioFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir =
      std::filesystem::path(INFERSCOPE_SOURCE_DIR) / "tests/detect/scenarios/series";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SeriesEngineScenarioTest : public testing::TestWithParam<std::string> {};

TEST_P(SeriesEngineScenarioTest, Passes) {
  Result<Scenario> scenario = LoadScenarioFile(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  SeriesSpec spec;
  spec.name = "scenario";
  spec.detectors = {scenario->detector_spec};
  spec.ensemble = scenario->ensemble;
  const SeriesKey key("value", scenario->labels);
  std::vector<Sample> samples;
  for (size_t i = 0; i < scenario->values.size(); ++i) {
    samples.push_back({scenario->TimeOf(i), scenario->values[i]});
  }
  auto engine = std::move(SeriesEngine::Create({spec}, scenario->tracker)).value();
  const std::vector<DetectorOutput> outputs = engine->ObserveAll(0, key, samples);
  const std::vector<Anomaly> incidents = engine->Anomalies();
  for (const std::string& failure : CheckScenario(*scenario, outputs, &incidents)) {
    ADD_FAILURE() << failure << "\n  (" << scenario->description << ")";
  }
  // Every incident carries the series' identity.
  for (const Anomaly& a : incidents) {
    EXPECT_EQ(a.labels, key.labels());
    EXPECT_EQ(a.metric, "value");
    std::string_view model = key.Label("model");
    EXPECT_EQ(a.model, model.empty() ? key.ToString() : std::string(model));
  }
  // The band is there for every scored point.
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].learning || std::isnan(scenario->values[i])) continue;
    EXPECT_LE(outputs[i].lower, outputs[i].expected) << i;
    EXPECT_LE(outputs[i].expected, outputs[i].upper) << i;
  }

  // Through an engine checkpoint at the midpoint: identical outputs afterwards.
  auto first = std::move(SeriesEngine::Create({spec}, scenario->tracker)).value();
  const size_t half = samples.size() / 2;
  (void)first->ObserveAll(0, key, std::span<const Sample>(samples).first(half));
  auto resumed = std::move(SeriesEngine::Create({spec}, scenario->tracker)).value();
  ASSERT_TRUE(resumed->LoadCheckpoint(first->SaveCheckpoint()).ok());
  for (size_t i = half; i < samples.size(); ++i) {
    DetectorOutput o = resumed->Observe(0, key, samples[i].timestamp_ns, samples[i].value);
    ASSERT_TRUE(Same(o.score, outputs[i].score) && Same(o.expected, outputs[i].expected) &&
                Same(o.upper, outputs[i].upper))
        << scenario->path << ": after a checkpoint at " << half << ", point " << i << " differs";
  }
}

INSTANTIATE_TEST_SUITE_P(SeriesScenarioFiles, SeriesEngineScenarioTest,
                         testing::ValuesIn(SeriesScenarioFiles()), TestName);

TEST(SeriesEngineTest, ThereAreSeriesScenarioFiles) { EXPECT_GE(SeriesScenarioFiles().size(), 4u); }

// --- Behaviour. ---

TEST(SeriesEngineTest, SeriesAreIndependentAndAnomaliesCarryTheirLabels) {
  auto engine = std::move(SeriesEngine::Create({Spec()})).value();
  const SeriesKey a("vllm_latency_p95", {{"model", "llama"}, {"instance", "a"}});
  const SeriesKey b("vllm_latency_p95", {{"instance", "b"}, {"model", "llama"}});
  std::vector<Sample> quiet = Noise(200, 1.0, 0.03, 1);
  std::vector<Sample> spiky = Noise(200, 1.0, 0.03, 2);
  for (int i = 150; i < 160; ++i) spiky[static_cast<size_t>(i)].value = 3.0;
  // Interleaved, as a range query answer would be walked.
  for (size_t i = 0; i < 200; ++i) {
    engine->Observe(0, a, quiet[i].timestamp_ns, quiet[i].value);
    engine->Observe(0, b, spiky[i].timestamp_ns, spiky[i].value);
  }
  EXPECT_EQ(engine->series_count(), 2u);
  auto anomalies = engine->Anomalies();
  ASSERT_EQ(anomalies.size(), 1u);
  const Anomaly& x = anomalies[0];
  EXPECT_EQ(x.model, "llama");
  EXPECT_EQ(x.metric, "vllm_latency_p95");
  EXPECT_EQ(x.kind, AnomalyKind::kLatencySpike);
  EXPECT_EQ(x.detector, "robust_z");
  const std::vector<std::pair<std::string, std::string>> labels = {{"instance", "b"},
                                                                   {"model", "llama"}};
  EXPECT_EQ(x.labels, labels);
  EXPECT_EQ(x.start_ns, kT0 + 150 * kNanosPerMinute);
  EXPECT_EQ(x.observed, 3.0);
}

TEST(SeriesEngineTest, ExpectedValueAndBandComeBackForEveryPoint) {
  auto engine = std::move(SeriesEngine::Create({Spec()})).value();
  const SeriesKey key("m", {});
  std::vector<Sample> s = Noise(100, 10.0, 0.5, 3);
  std::vector<DetectorOutput> out = engine->ObserveAll(0, key, s);
  ASSERT_EQ(out.size(), s.size());
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_TRUE(out[i].learning);
    EXPECT_TRUE(std::isnan(out[i].expected));
  }
  for (size_t i = 20; i < out.size(); ++i) {
    EXPECT_FALSE(out[i].learning);
    // robust_z: expected = the median of the previous points, band = +/- 6 robust sigma.
    EXPECT_NEAR(out[i].expected, 10.0, 0.5);
    EXPECT_LT(out[i].lower, out[i].expected);
    EXPECT_GT(out[i].upper, out[i].expected);
    EXPECT_NEAR(out[i].upper - out[i].expected, out[i].expected - out[i].lower, 1e-9);
  }
}

TEST(SeriesEngineTest, PointsOutOfOrderAreIgnoredAndCounted) {
  auto engine = std::move(SeriesEngine::Create({Spec()})).value();
  const SeriesKey key("m", {{"model", "x"}});
  std::vector<Sample> s = Noise(60, 10.0, 0.5, 4);
  engine->ObserveAll(0, key, s);
  const std::string before = engine->SaveCheckpoint();
  DetectorOutput late = engine->Observe(0, key, s[10].timestamp_ns, 1000.0);
  DetectorOutput dup = engine->Observe(0, key, s.back().timestamp_ns, 1000.0);
  EXPECT_EQ(late.score, 0);
  EXPECT_EQ(dup.score, 0);
  EXPECT_EQ(engine->ignored_points(), 2u);
  EXPECT_EQ(engine->SaveCheckpoint(), before);  // nothing was learnt from them
  EXPECT_TRUE(engine->Anomalies().empty());
}

TEST(SeriesEngineTest, CheckpointsAreValidatedAndAllOrNothing) {
  auto a = std::move(SeriesEngine::Create({Spec()})).value();
  a->ObserveAll(0, SeriesKey("m", {{"model", "x"}}), Noise(50, 5.0, 0.2, 5));
  a->ObserveAll(0, SeriesKey("m", {{"model", "y"}}), Noise(50, 5.0, 0.2, 6));
  const std::string good = a->SaveCheckpoint();
  auto b = std::move(SeriesEngine::Create({Spec()})).value();
  ASSERT_TRUE(b->LoadCheckpoint(good).ok());
  EXPECT_EQ(b->series_count(), 2u);
  EXPECT_EQ(b->SaveCheckpoint(), good);

  auto c = std::move(SeriesEngine::Create({Spec()})).value();
  EXPECT_EQ(c->LoadCheckpoint(good.substr(0, good.size() / 2)).code(), StatusCode::kDataLoss);
  std::string flipped = good;
  flipped[good.size() / 3] ^= 1;
  EXPECT_EQ(c->LoadCheckpoint(flipped).code(), StatusCode::kDataLoss);
  EXPECT_EQ(c->series_count(), 0u);
  SeriesSpec other = Spec();
  other.name = "errors";
  auto d = std::move(SeriesEngine::Create({other})).value();
  EXPECT_EQ(d->LoadCheckpoint(good).code(), StatusCode::kInvalidArgument);
}

TEST(SeriesEngineTest, ABadSpecIsRejectedNamingIt) {
  auto engine = SeriesEngine::Create({Spec("robust_z window=banana")});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("latency"), std::string::npos);
}

}  // namespace
}  // namespace inferscope
