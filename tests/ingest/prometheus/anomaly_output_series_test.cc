#include "ingest/prometheus/anomaly_output_series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inferscope {
namespace {

TEST(AnomalyOutputSeriesTest, WritesFourSeriesWithInputLabelsPlusDetector) {
  SeriesKey input("vllm_latency_p95", {{"model", "llama"}, {"job", "vllm"}});
  auto out = BuildAnomalyOutputSeries(input, "robust_z",
                                      {{60, 0.1, 100, 90, 110}, {120, 0.9, 101, 91, 111}});
  ASSERT_EQ(out.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> labels = {
      {"detector", "robust_z"},
      {"job", "vllm"},
      {"model", "llama"},
      {"source_metric", "vllm_latency_p95"}};
  EXPECT_EQ(out[0].key, SeriesKey("inferscope_anomaly_score", labels));
  EXPECT_EQ(out[1].key, SeriesKey("inferscope_expected", labels));
  EXPECT_EQ(out[2].key, SeriesKey("inferscope_expected_lower", labels));
  EXPECT_EQ(out[3].key, SeriesKey("inferscope_expected_upper", labels));
  EXPECT_EQ(out[0].samples, (std::vector<Sample>{{60, 0.1}, {120, 0.9}}));
  EXPECT_EQ(out[1].samples, (std::vector<Sample>{{60, 100}, {120, 101}}));
  EXPECT_EQ(out[2].samples, (std::vector<Sample>{{60, 90}, {120, 91}}));
  EXPECT_EQ(out[3].samples, (std::vector<Sample>{{60, 110}, {120, 111}}));
}

TEST(AnomalyOutputSeriesTest, RenamesClashingInputLabelsAndSkipsNonFiniteValues) {
  SeriesKey input("", {{"detector", "theirs"}, {"source_metric", "x"}});
  auto out = BuildAnomalyOutputSeries(input, "ours", {{60, 0.5, NAN, -INFINITY, INFINITY}});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].key, SeriesKey("inferscope_anomaly_score", {{"detector", "ours"},
                                                               {"exported_detector", "theirs"},
                                                               {"exported_source_metric", "x"}}));
  EXPECT_EQ(out[0].samples, (std::vector<Sample>{{60, 0.5}}));
  EXPECT_TRUE(out[1].samples.empty());
  EXPECT_TRUE(out[2].samples.empty());
  EXPECT_TRUE(out[3].samples.empty());
}

}  // namespace
}  // namespace inferscope
