#include "insight/series_detection.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferscope {
namespace {

std::unique_ptr<SeriesEngine> Engine() {
  SeriesSpec spec;
  spec.name = "q";
  spec.detectors = {"robust_z window=20 threshold=5 min_points=10"};
  auto e = SeriesEngine::Create({spec});
  EXPECT_TRUE(e.ok());
  return std::move(e).value();
}

PrometheusSeries Flat(std::string metric, TimestampNs from, int n, double spike_at = -1) {
  PrometheusSeries s;
  s.key = SeriesKey(std::move(metric), {{"instance", "a"}});
  for (int i = 0; i < n; ++i) {
    const double v = 10 + (i % 3) * 0.5 + (i == spike_at ? 100 : 0);
    s.samples.push_back({from + i * kNanosPerMinute, v});
  }
  return s;
}

TEST(SeriesDetectionTest, OverlappingPointsAreJudgedOnceAndLeftOutOfTheResult) {
  auto engine = Engine();
  auto first = RunSeriesDetection(*engine, 0, {Flat("m", 0, 30)}, "");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].samples.size(), 30u);
  // A second poll overlapping the first by 10 points: only the 20 new ones come back.
  auto second = RunSeriesDetection(*engine, 0, {Flat("m", 20 * kNanosPerMinute, 30)}, "");
  ASSERT_EQ(second.size(), 1u);
  ASSERT_EQ(second[0].samples.size(), 20u);
  EXPECT_EQ(second[0].samples.front().timestamp_ns, 30 * kNanosPerMinute);
  EXPECT_EQ(second[0].outputs.size(), second[0].samples.size());
}

TEST(SeriesDetectionTest, UnnamedSeriesTakeTheGivenName) {
  auto engine = Engine();
  auto out = RunSeriesDetection(*engine, 0, {Flat("", 0, 5)}, "p95_latency");
  EXPECT_EQ(out[0].key.metric(), "p95_latency");
  EXPECT_EQ(out[0].key.Label("instance"), "a");
}

TEST(SeriesDetectionTest, OutputPointsCarryScoreAndBandAndZeroWhileLearning) {
  auto engine = Engine();
  auto out = RunSeriesDetection(*engine, 0, {Flat("m", 0, 40, 35)}, "");
  auto points = ToOutputPoints(out[0]);
  ASSERT_EQ(points.size(), 40u);
  EXPECT_EQ(points[0].score, 0.0);
  EXPECT_TRUE(std::isnan(points[0].expected));  // learning: no opinion yet
  EXPECT_GE(points[35].score, 0.5);
  EXPECT_LT(points[34].score, 0.5);
  EXPECT_NEAR(points[34].expected, 10.5, 0.5);
  EXPECT_LT(points[34].lower, points[34].expected);
  EXPECT_GT(points[34].upper, points[34].expected);
  EXPECT_EQ(points[35].timestamp_ns, 35 * kNanosPerMinute);
}

TEST(SeriesDetectionTest, DetectorLabelJoinsTheDetectorNames) {
  SeriesSpec spec;
  spec.detectors = {"robust_z window=60", "  cusum k=1"};
  EXPECT_EQ(DetectorLabelFor(spec), "robust_z+cusum");
  spec.detectors.clear();
  EXPECT_EQ(DetectorLabelFor(spec), "ensemble");
}

}  // namespace
}  // namespace inferscope
