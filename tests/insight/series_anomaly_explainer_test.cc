#include "insight/series_anomaly_explainer.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace inferscope {
namespace {

TEST(SeriesAnomalyExplainerTest, FamiliesAreGuessedFromServingMetricNames) {
  EXPECT_EQ(GuessSeriesMetricFamily("vllm:time_to_first_token_seconds_bucket"),
            SeriesMetricFamily::kLatency);
  EXPECT_EQ(GuessSeriesMetricFamily("nv_inference_request_duration_us"),
            SeriesMetricFamily::kLatency);
  EXPECT_EQ(GuessSeriesMetricFamily("vllm:gpu_cache_usage_perc"), SeriesMetricFamily::kKvCache);
  EXPECT_EQ(GuessSeriesMetricFamily("vllm:num_requests_waiting"), SeriesMetricFamily::kQueue);
  EXPECT_EQ(GuessSeriesMetricFamily("tgi_queue_size"), SeriesMetricFamily::kQueue);
  EXPECT_EQ(GuessSeriesMetricFamily("DCGM_FI_DEV_GPU_UTIL"), SeriesMetricFamily::kGpuUtil);
  EXPECT_EQ(GuessSeriesMetricFamily("nv_inference_request_failure"), SeriesMetricFamily::kErrors);
  EXPECT_EQ(GuessSeriesMetricFamily("tgi_batch_current_size"), SeriesMetricFamily::kBatch);
  EXPECT_EQ(GuessSeriesMetricFamily("some_gauge"), SeriesMetricFamily::kOther);
}

TEST(SeriesAnomalyExplainerTest, SummaryNamesSeriesValuesAndStart) {
  Anomaly a;
  a.metric = "vllm:num_requests_waiting";
  a.labels = {{"model_name", "llama"}};
  a.direction = Direction::kAbove;
  a.observed = 42;
  a.expected = 3;
  a.lower = 1;
  a.upper = 5;
  a.start_ns = *ParseIso8601("2026-01-01T10:00:00Z");
  a.last_seen_ns = a.start_ns + 12 * kNanosPerMinute;
  a.peak_ns = a.start_ns + 5 * kNanosPerMinute;
  a.state = AnomalyState::kFiring;
  SeriesAnomalyExplainer().Explain("", &a);
  EXPECT_EQ(a.summary,
            "vllm:num_requests_waiting of {model_name=\"llama\"} rose to 42 against expected 3 "
            "(usual band 1..5) since 2026-01-01T10:00:00Z, for 12 min (still firing). Peak at "
            "2026-01-01T10:05:00Z.");
  EXPECT_NE(a.cause.find("arrivals above serving capacity"), std::string::npos) << a.cause;
  EXPECT_NE(a.recommendation.find("Scale out"), std::string::npos) << a.recommendation;
}

TEST(SeriesAnomalyExplainerTest, FallingGpuUtilisationGetsTheStarvedGpuAdviceAndKeepsText) {
  Anomaly a;
  a.metric = "DCGM_FI_DEV_GPU_UTIL";
  a.direction = Direction::kBelow;
  a.observed = 10;
  a.expected = 80;
  a.cause = "given";
  SeriesAnomalyExplainer().Explain("", &a);
  EXPECT_NE(a.summary.find("fell to 10"), std::string::npos);
  EXPECT_EQ(a.cause, "given");  // filled fields are kept
  EXPECT_NE(a.recommendation.find("starved"), std::string::npos);
}

}  // namespace
}  // namespace inferscope
