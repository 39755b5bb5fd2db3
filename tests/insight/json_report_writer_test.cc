#include "insight/json_report_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "sample_report.h"

namespace inferscope {
namespace {

// Parses JSON with simdjson, failing the test on a syntax error. The parser owns the
// returned element's storage, so it is passed in.
simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element doc;
  auto error = parser.parse(json).get(doc);
  EXPECT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error) << "\n" << json;
  return doc;
}

double Num(simdjson::dom::element e) {
  double v = 0;
  EXPECT_EQ(e.get_double().get(v), simdjson::SUCCESS);
  return v;
}

uint64_t Uint(simdjson::dom::element e) {
  uint64_t v = 0;
  EXPECT_EQ(e.get_uint64().get(v), simdjson::SUCCESS);
  return v;
}

std::string Str(simdjson::dom::element e) {
  std::string_view v;
  EXPECT_EQ(e.get_string().get(v), simdjson::SUCCESS);
  return std::string(v);
}

std::vector<std::string> Keys(simdjson::dom::element e) {
  std::vector<std::string> keys;
  simdjson::dom::object object;
  EXPECT_EQ(e.get_object().get(object), simdjson::SUCCESS);
  for (auto field : object) keys.emplace_back(field.key);
  return keys;
}

TEST(JsonReportWriterTest, MatchesGoldenFile) {
  ExpectMatchesGolden("report_small.json", JsonReportWriter().Render(MakeSampleReport()));
}

TEST(JsonReportWriterTest, HasTheRequiredSummaryKeys) {
  AnalysisReport report = MakeSampleReport();
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  auto summary = doc["summary"];
  EXPECT_EQ(Uint(summary["total_requests"]), 1200u);
  EXPECT_DOUBLE_EQ(Num(summary["error_rate"]), 0.025);
  auto latency = summary["latency_ms"];
  EXPECT_DOUBLE_EQ(Num(latency["avg"]), 412.5);
  EXPECT_DOUBLE_EQ(Num(latency["p50"]), 350.1);
  EXPECT_DOUBLE_EQ(Num(latency["p90"]), 720.4);
  EXPECT_DOUBLE_EQ(Num(latency["p95"]), 910.0);
  EXPECT_DOUBLE_EQ(Num(latency["p99"]), 1480.7);
  EXPECT_DOUBLE_EQ(Num(latency["max"]), 3021.9);
  EXPECT_EQ(Str(summary["start"]), "2024-05-01T12:00:00.250Z");
  EXPECT_EQ(Str(summary["end"]), "2024-05-01T12:09:59.000Z");
  EXPECT_DOUBLE_EQ(Num(summary["throughput_rps"]), report.summary.throughput_rps);
  EXPECT_EQ(Str(doc["version"]), "0.1.0");
}

TEST(JsonReportWriterTest, ModelsAreAnObjectKeyedByNameInReportOrder) {
  AnalysisReport report = MakeSampleReport();
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_EQ(Keys(doc["models"]), (std::vector<std::string>{"llama-3-8b", "mistral-7b"}));
  auto llama = doc["models"]["llama-3-8b"];
  EXPECT_EQ(Uint(llama["count"]), 800u);
  EXPECT_DOUBLE_EQ(Num(llama["error_rate"]), 0.015);
  EXPECT_DOUBLE_EQ(Num(llama["latency_ms"]["avg"]), 301.2);
  EXPECT_DOUBLE_EQ(Num(llama["latency_ms"]["p50"]), 280.0);
  EXPECT_DOUBLE_EQ(Num(llama["latency_ms"]["p95"]), 640.9);
  EXPECT_DOUBLE_EQ(Num(llama["latency_ms"]["p99"]), 990.0);
  EXPECT_DOUBLE_EQ(Num(llama["cost_usd"]), 4.8);
  EXPECT_DOUBLE_EQ(Num(llama["requests_per_s"]), report.models[0].requests_per_s);
  EXPECT_DOUBLE_EQ(Num(llama["avg_queue_depth"]), 2.25);
}

TEST(JsonReportWriterTest, AbsentValuesAreNull) {
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(MakeSampleReport()));
  auto mistral = doc["models"]["mistral-7b"];
  EXPECT_TRUE(mistral["avg_batch_fill_ratio"].is_null());
  EXPECT_TRUE(mistral["avg_queue_depth"].is_null());
  EXPECT_TRUE(mistral["cache_hit_rate"].is_null());
  auto empty_window = doc["trends"]["series"]["*"].at(2);
  EXPECT_EQ(Uint(empty_window["requests"]), 0u);
  EXPECT_TRUE(empty_window["latency_p95_ms"].is_null());
  EXPECT_TRUE(doc["correlations"]["pearson"].at(1).at(2).is_null());
  EXPECT_TRUE(doc["correlations"]["spearman"].at(2).at(1).is_null());
  EXPECT_TRUE(doc["investigation"]["metrics"].at(4)["baseline"].is_null());
}

TEST(JsonReportWriterTest, WritesEverySection) {
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(MakeSampleReport()));
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"version", "input", "summary", "models", "trends",
                                                 "outliers", "correlations", "investigation"}));
  EXPECT_EQ(Uint(doc["input"]["rejected"]), 12u);
  EXPECT_EQ(Uint(doc["input"]["first_rejects"].at(1)["line"]), 102u);
  EXPECT_DOUBLE_EQ(Num(doc["trends"]["window_s"]), 60.0);
  EXPECT_EQ(Keys(doc["trends"]["series"]),
            (std::vector<std::string>{"*", "llama-3-8b", "mistral-7b"}));
  EXPECT_EQ(Str(doc["trends"]["series"]["*"].at(0)["start"]), "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(Str(doc["outliers"]["methods"].at(2)["method"]), "iqr");
  EXPECT_EQ(Str(doc["outliers"]["worst"].at(0)["timestamp"]), "2024-05-01T12:07:01.234Z");
  EXPECT_EQ(Str(doc["outliers"]["aggregates"].at(1)["metric"]), "error_rate");
  EXPECT_DOUBLE_EQ(Num(doc["correlations"]["pearson"].at(0).at(1)), 0.8213);
  EXPECT_EQ(Uint(doc["correlations"]["spearman_rows"]), 1200u);
  EXPECT_EQ(Str(doc["investigation"]["from"]), "2024-05-01T12:07:00.000Z");
  EXPECT_DOUBLE_EQ(Num(doc["investigation"]["metrics"].at(0)["change_pct"]), 187.72);
  EXPECT_EQ(doc["anomalies"].error(), simdjson::NO_SUCH_FIELD);
}

TEST(JsonReportWriterTest, AnomaliesCarryTheirIncident) {
  AnalysisReport report = MakeSampleReport();
  SetGroupedAnomalies(report);
  report.anomalies[2].incident.clear();  // never grouped (e.g. read from an old store)
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(JsonReportWriter().Render(report));
  simdjson::dom::array anomalies = doc["anomalies"].get_array();
  ASSERT_EQ(anomalies.size(), 3u);
  EXPECT_EQ(Str(anomalies.at(0)["incident"]), "i-00000000000000a1");
  EXPECT_EQ(Str(anomalies.at(1)["incident"]), "i-00000000000000a1");
  EXPECT_TRUE(anomalies.at(2)["incident"].is_null());
  EXPECT_EQ(Str(anomalies.at(2)["id"]), "a-00000000000000b1");
}

TEST(JsonReportWriterTest, InvestigationIsNullWhenNotRequested) {
  AnalysisReport report = MakeSampleReport();
  report.investigation = Investigation{};
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_TRUE(doc["investigation"].is_null());
}

TEST(JsonReportWriterTest, OptionsOmitSections) {
  JsonReportOptions options;
  options.include_input = false;
  options.include_trends = false;
  options.include_outliers = false;
  options.include_correlations = false;
  options.include_investigation = false;
  options.indent = 0;
  std::string json = JsonReportWriter(options).Render(MakeSampleReport());
  EXPECT_EQ(json.find('\n'), json.size() - 1) << "compact output is one line";
  simdjson::dom::parser parser;
  auto doc = Parse(parser, json);
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"version", "summary", "models"}));
}

TEST(JsonReportWriterTest, EscapesHostileModelNames) {
  AnalysisReport report = MakeSampleReport();
  const std::string hostile = "we\"ird\\mo|del,\nname\t\x01";
  report.models[0].model = hostile;
  report.outliers.worst[0].request_id = hostile;
  report.trends.series[1].model = hostile;
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_EQ(Keys(doc["models"]).front(), hostile);
  EXPECT_EQ(Str(doc["outliers"]["worst"].at(0)["request_id"]), hostile);
  EXPECT_EQ(Keys(doc["trends"]["series"])[1], hostile);
}

TEST(JsonReportWriterTest, InvalidUtf8StaysValidJson) {
  AnalysisReport report = MakeSampleReport();
  report.models[0].model = "bad\xff\xfe-utf8";
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_EQ(Keys(doc["models"]).front(), "bad\xEF\xBF\xBD\xEF\xBF\xBD-utf8");
}

TEST(JsonReportWriterTest, RendersAnEmptyReport) {
  AnalysisReport report;
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_EQ(Uint(doc["summary"]["total_requests"]), 0u);
  EXPECT_TRUE(doc["summary"]["start"].is_null());
  EXPECT_TRUE(doc["summary"]["end"].is_null());
  EXPECT_TRUE(doc["summary"]["latency_ms"]["p99"].is_null());
  EXPECT_TRUE(doc["summary"]["throughput_rps"].is_null());
  EXPECT_TRUE(Keys(doc["models"]).empty());
  EXPECT_TRUE(Keys(doc["trends"]["series"]).empty());
  EXPECT_TRUE(doc["investigation"].is_null());
}

TEST(JsonReportWriterTest, ShortCorrelationMatrixYieldsNullsNotGarbage) {
  AnalysisReport report = MakeSampleReport();
  report.correlations.pearson.resize(4);
  simdjson::dom::parser parser;
  auto doc = Parse(parser, JsonReportWriter().Render(report));
  EXPECT_DOUBLE_EQ(Num(doc["correlations"]["pearson"].at(1).at(0)), 0.8213);
  EXPECT_TRUE(doc["correlations"]["pearson"].at(2).at(2).is_null());
}

}  // namespace
}  // namespace inferscope
