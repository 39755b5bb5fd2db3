#include "api/telemetry_metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace inferscope {
namespace {

Event MakeEvent(std::string_view model, double latency_ms) {
  Event e;
  e.model = model;
  e.task_type = "chat";
  e.cache_tier = "l1";
  e.Set(EventField::kLatencyMs, latency_ms);
  return e;
}

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(TelemetryMetricsTest, CountsRequestsCostAndLatencyPerModel) {
  TelemetryMetrics metrics;
  Event a = MakeEvent("llama", 40);
  a.Set(EventField::kCostUsd, 0.25);
  metrics.Record(a);
  Event b = MakeEvent("llama", 3000);
  b.Set(EventField::kCostUsd, 0.5);
  metrics.Record(b);
  metrics.Record(MakeEvent("mistral", 7));
  std::string out;
  metrics.Render(&out);
  EXPECT_TRUE(Contains(
      out, "inferscope_requests_total{model=\"llama\",task_type=\"chat\",cache_tier=\"l1\"} 2"))
      << out;
  EXPECT_TRUE(Contains(out, "inferscope_cost_dollars_total{model=\"llama\"} 0.75"));
  // 40 ms falls in le=0.05, 3 s in le=5.
  EXPECT_TRUE(Contains(out,
                       "inferscope_latency_seconds_bucket{model=\"llama\",cache_tier=\"l1\","
                       "le=\"0.025\"} 0"));
  EXPECT_TRUE(Contains(out,
                       "inferscope_latency_seconds_bucket{model=\"llama\",cache_tier=\"l1\","
                       "le=\"0.05\"} 1"));
  EXPECT_TRUE(Contains(out,
                       "inferscope_latency_seconds_bucket{model=\"llama\",cache_tier=\"l1\","
                       "le=\"2.5\"} 1"));
  EXPECT_TRUE(Contains(out,
                       "inferscope_latency_seconds_bucket{model=\"llama\",cache_tier=\"l1\","
                       "le=\"5\"} 2"));
  EXPECT_TRUE(
      Contains(out, "inferscope_latency_seconds_sum{model=\"llama\",cache_tier=\"l1\"} 3.04"));
  EXPECT_TRUE(
      Contains(out, "inferscope_latency_seconds_count{model=\"mistral\",cache_tier=\"l1\"} 1"));
}

TEST(TelemetryMetricsTest, CacheTokensErrorsAndBatchFamilies) {
  TelemetryMetrics metrics;
  for (int i = 0; i < 4; ++i) {
    Event e = MakeEvent("m", 10);
    e.Set(EventField::kCacheHit, i == 0 ? 0 : 1);
    e.Set(EventField::kInputTokens, 100);
    e.Set(EventField::kOutputTokens, 5000);
    e.Set(EventField::kBatchSize, 3);
    metrics.Record(e);
  }
  Event failed = MakeEvent("m", 10);
  failed.status = EventStatus::kError;
  failed.status_text = "500";
  failed.service = "gateway";
  metrics.Record(failed);
  Event typed = MakeEvent("m", 10);
  typed.status = EventStatus::kTimeout;
  typed.attributes = {{"error.type", "\"upstream_timeout\""}, {"component", "\"router\""}};
  metrics.Record(typed);

  std::string out;
  metrics.Render(&out);
  EXPECT_TRUE(Contains(out, "inferscope_cache_hits_total{tier=\"l1\"} 3")) << out;
  EXPECT_TRUE(Contains(out, "inferscope_cache_misses_total{tier=\"l1\"} 1"));
  EXPECT_TRUE(Contains(out, "inferscope_cache_hit_rate{tier=\"l1\"} 0.75"));
  EXPECT_TRUE(Contains(out, "inferscope_token_count_bucket{direction=\"input\",le=\"64\"} 0"));
  EXPECT_TRUE(Contains(out, "inferscope_token_count_bucket{direction=\"input\",le=\"256\"} 4"));
  EXPECT_TRUE(Contains(out, "inferscope_token_count_sum{direction=\"output\"} 20000"));
  EXPECT_TRUE(Contains(out, "inferscope_errors_total{error_type=\"500\",component=\"gateway\"} 1"));
  EXPECT_TRUE(Contains(
      out, "inferscope_errors_total{error_type=\"upstream_timeout\",component=\"router\"} 1"));
  EXPECT_TRUE(Contains(out, "inferscope_batch_size_bucket{le=\"2\"} 0"));
  EXPECT_TRUE(Contains(out, "inferscope_batch_size_bucket{le=\"4\"} 4"));
}

TEST(TelemetryMetricsTest, FoldsLabelValuesBeyondTheCardinalityCapIntoOther) {
  TelemetryMetricsOptions options;
  options.max_series_per_family = 2;
  options.prefix = "x_";
  TelemetryMetrics metrics(options);
  for (std::string_view model : {"a", "b", "c", "d"}) metrics.Record(MakeEvent(model, 1));
  std::string out;
  metrics.Render(&out);
  EXPECT_TRUE(
      Contains(out, "x_requests_total{model=\"a\",task_type=\"chat\",cache_tier=\"l1\"} 1"));
  EXPECT_TRUE(
      Contains(out, "x_requests_total{model=\"other\",task_type=\"other\",cache_tier=\"other\"} 2"))
      << out;
  EXPECT_EQ(out.find("model=\"c\""), std::string::npos);
}

TEST(TelemetryMetricsTest, OutputPassesPromtoolCheckMetrics) {
  TelemetryMetrics metrics;
  Event e = MakeEvent("llama \"3\"", 12);
  e.Set(EventField::kCacheHit, 1);
  e.Set(EventField::kInputTokens, 10);
  e.Set(EventField::kBatchSize, 8);
  e.Set(EventField::kCostUsd, 0.01);
  metrics.Record(e);
  e.status = EventStatus::kError;
  metrics.Record(e);
  metrics.SetFiringAnomalies({{{"latency_spike", "high"}, 1}});
  std::string out;
  metrics.Render(&out);
  std::string path = ::testing::TempDir() + "/telemetry_metrics.txt";
  std::ofstream(path) << out;
  std::string command = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string lint;
  char buf[256];
  while (fgets(buf, sizeof(buf), pipe) != nullptr) lint += buf;
  int status = pclose(pipe);
  ASSERT_NE(status, 127 << 8) << "promtool missing: run scripts/install-deps.sh";
  EXPECT_EQ(status, 0) << lint << "\n" << out;
}

}  // namespace
}  // namespace inferscope
