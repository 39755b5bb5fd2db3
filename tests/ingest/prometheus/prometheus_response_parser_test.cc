#include "ingest/prometheus/prometheus_response_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace inferscope {
namespace {

std::string ReadWireFile(const std::string& name) {
  std::ifstream in(std::string(INFERSCOPE_SOURCE_DIR) + "/../shared/data/wire/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

constexpr TimestampNs Ms(int64_t ms) { return ms * kNanosPerMilli; }

SeriesKey Key(std::string metric, std::vector<std::pair<std::string, std::string>> labels) {
  return SeriesKey(std::move(metric), std::move(labels));
}

TEST(PrometheusResponseParserTest, ReadsCapturedPrometheusMatrixWithExactValues) {
  std::string body = ReadWireFile("prometheus_query_range.json");
  ASSERT_FALSE(body.empty()) << "missing ../shared/data/wire/prometheus_query_range.json";
  PrometheusResponseParser parser;
  auto result = parser.Parse(body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->type, PrometheusResultType::kMatrix);
  ASSERT_EQ(result->series.size(), 3u);
  for (int m = 0; m < 3; ++m) {
    const PrometheusSeries& s = result->series[m];
    EXPECT_EQ(s.key, Key("anomaly_score", {{"detector", "zscore"},
                                           {"job", "anomaly-engine"},
                                           {"model", "model-" + std::to_string(m)}}));
    ASSERT_EQ(s.samples.size(), 4u);
    for (int i = 0; i < 4; ++i) {
      // [1795470129.500 + 30 i, "0.(3+m)(3+2i)"]
      EXPECT_EQ(s.samples[i].timestamp_ns, Ms(1795470129500 + 30000LL * i));
      double expected = std::stod("0." + std::to_string(3 + m) + std::to_string(3 + 2 * i));
      EXPECT_EQ(s.samples[i].value, expected) << "series " << m << " point " << i;
    }
  }
  EXPECT_TRUE(result->warnings.empty());
}

TEST(PrometheusResponseParserTest, ReadsCapturedVictoriaMetricsMatrixWithIntegerTimestamps) {
  std::string body = ReadWireFile("vm_query_range.json");
  ASSERT_FALSE(body.empty()) << "missing ../shared/data/wire/vm_query_range.json";
  PrometheusResponseParser parser;
  auto result = parser.Parse(body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->series.size(), 5u);
  EXPECT_EQ(result->series[1].key,
            Key("anomaly_score",
                {{"detector", "zscore"}, {"job", "anomaly-engine"}, {"model", "model-1"}}));
  EXPECT_EQ(result->series[1].samples,
            (std::vector<Sample>{
                {Ms(1795470243000), 0.41}, {Ms(1795470303000), 0.45}, {Ms(1795470363000), 0.49}}));
  EXPECT_EQ(result->series[4].key,
            Key("inference_latency_p95_ms", {{"job", "gateway"}, {"model", "mistral-7b"}}));
  EXPECT_EQ(result->series[4].samples,
            (std::vector<Sample>{
                {Ms(1795470243000), 104}, {Ms(1795470303000), 101}, {Ms(1795470363000), 104}}));
}

TEST(PrometheusResponseParserTest, KeepsNaNAndInfinitiesAsSuch) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x"},)"
      R"("values":[[1,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"-0.5"],[5,"1e3"],[6,"+2"],[7, "\u0031.5" ]]}]}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& samples = result->series.at(0).samples;
  ASSERT_EQ(samples.size(), 7u);
  EXPECT_TRUE(std::isnan(samples[0].value));
  EXPECT_EQ(samples[1].value, INFINITY);
  EXPECT_EQ(samples[2].value, -INFINITY);
  EXPECT_EQ(samples[3].value, -0.5);
  EXPECT_EQ(samples[4].value, 1000.0);
  EXPECT_EQ(samples[5].value, 2.0);
  EXPECT_EQ(samples[5].timestamp_ns, 6 * kNanosPerSecond);
  EXPECT_EQ(samples[6].value, 1.5);  // an escaped value string takes the unescaping path
}

// simdjson 3.0.1's On Demand get_double() misreads 20+ digit numbers (issue #2093):
// 0.95000000000000000000 came out as 0.0277.
TEST(PrometheusResponseParserTest, ReadsLongTimestampsCorrectlyRounded) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x"},)"
      R"("values":[[0.95000000000000000000,"1"],[1700000000.1230000000000000001,"2"]]}]}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& samples = result->series.at(0).samples;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].timestamp_ns, 950 * kNanosPerMilli);
  EXPECT_EQ(samples[1].timestamp_ns, 1700000000123 * kNanosPerMilli);
}

TEST(PrometheusResponseParserTest, RoundsFractionalSecondsToTheMillisecond) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(R"({"status":"success","data":{"resultType":"vector","result":[)"
                             R"({"metric":{"a":"1"},"value":[1795470129.123,"7"]}]}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->type, PrometheusResultType::kVector);
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].key, Key("", {{"a", "1"}}));
  EXPECT_EQ(result->series[0].samples, (std::vector<Sample>{{Ms(1795470129123), 7.0}}));
}

TEST(PrometheusResponseParserTest, ReadsScalarAndStringResults) {
  PrometheusResponseParser parser;
  auto scalar = parser.Parse(
      R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"42.25"]}})");
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(scalar->type, PrometheusResultType::kScalar);
  ASSERT_EQ(scalar->series.size(), 1u);
  EXPECT_EQ(scalar->series[0].key, SeriesKey());
  EXPECT_EQ(scalar->series[0].samples, (std::vector<Sample>{{Ms(1700000000500), 42.25}}));

  auto text = parser.Parse(
      R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}})");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->type, PrometheusResultType::kString);
  EXPECT_TRUE(text->series.empty());
  EXPECT_EQ(text->string_value, "hello");
  EXPECT_EQ(text->string_timestamp_ns, 1700000000 * kNanosPerSecond);
}

TEST(PrometheusResponseParserTest, AcceptsFieldsInAnyOrderAndKeepsWarnings) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(
      R"({"warnings":["partial response"],"data":{"result":[{"values":[[10,"1"]],)"
      R"("metric":{"job":"a\"b","__name__":"up"}}],"resultType":"matrix"},"status":"success"})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->warnings, std::vector<std::string>{"partial response"});
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].key, Key("up", {{"job", "a\"b"}}));
  EXPECT_EQ(result->series[0].samples, (std::vector<Sample>{{10 * kNanosPerSecond, 1.0}}));
}

TEST(PrometheusResponseParserTest, AcceptsWhitespaceAroundTheAnswer) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(
      " \n{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}\n");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->series.empty());
}

TEST(PrometheusResponseParserTest, MapsErrorEnvelopesToCodesWithTheServersMessage) {
  PrometheusResponseParser parser;
  auto bad = parser.Parse(
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad_data: invalid parameter \"query\": 1:5: parse error");

  auto timeout = parser.Parse(
      R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})");
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(timeout.status().message(), "timeout: query timed out in expression evaluation");

  auto execution = parser.Parse(R"({"status":"error","errorType":"execution","error":"x"})");
  EXPECT_EQ(execution.status().code(), StatusCode::kInvalidArgument);
  auto not_found = parser.Parse(R"({"status":"error","errorType":"not_found","error":"x"})");
  EXPECT_EQ(not_found.status().code(), StatusCode::kNotFound);
  // VictoriaMetrics' envelope carries the HTTP status as the type.
  auto vm = parser.Parse(
      R"({"status":"error","errorType":"422","error":"error when executing query=\"sum(\""})");
  EXPECT_EQ(vm.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vm.status().message(), "422: error when executing query=\"sum(\"");
  auto vm_busy = parser.Parse(R"({"status":"error","errorType":"503","error":"x"})");
  EXPECT_EQ(vm_busy.status().code(), StatusCode::kUnavailable);
  auto bare = parser.Parse(R"({"status":"error"})");
  EXPECT_EQ(bare.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bare.status().message(), "error: (no error message)");
}

TEST(PrometheusResponseParserTest, SkipsNativeHistogramsWithAWarning) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"__name__":"h"},"histograms":[[1,{"count":"2","sum":"3","buckets":[]}]]}]}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_TRUE(result->series[0].samples.empty());
  EXPECT_EQ(result->warnings, std::vector<std::string>{"h: 1 native histogram point(s) skipped"});
}

struct MalformedCase {
  const char* name;
  const char* body;
  const char* message;  // expected substring
};

class PrometheusResponseParserMalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(PrometheusResponseParserMalformedTest, RejectsWithDataLossNamingTheField) {
  PrometheusResponseParser parser;
  auto result = parser.Parse(GetParam().body);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDataLoss) << result.status().ToString();
  EXPECT_NE(result.status().message().find(GetParam().message), std::string::npos)
      << result.status().message();
  // The parser stays usable after a reject.
  auto good = parser.Parse(R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  EXPECT_TRUE(good.ok()) << good.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PrometheusResponseParserMalformedTest,
    ::testing::Values(
        MalformedCase{"empty", "", "invalid JSON"},
        MalformedCase{"truncated",
                      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{})",
                      "invalid JSON"},
        MalformedCase{"html", "<html>502 Bad Gateway</html>",
                      "expected a JSON object at the top level"},
        MalformedCase{"array_top", "[1,2]", "expected a JSON object at the top level"},
        MalformedCase{"no_status", R"({"data":{"resultType":"vector","result":[]}})",
                      "status: missing"},
        MalformedCase{"odd_status",
                      R"({"status":"maybe","data":{"resultType":"vector","result":[]}})",
                      "status: \"maybe\""},
        MalformedCase{"no_data", R"({"status":"success"})", "data: missing"},
        MalformedCase{"unknown_type",
                      R"({"status":"success","data":{"resultType":"tensor","result":[]}})",
                      "data.resultType: unknown result type \"tensor\""},
        MalformedCase{"no_result", R"({"status":"success","data":{"resultType":"matrix"}})",
                      "data.result: missing"},
        MalformedCase{
            "bad_value",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"abc"]]}]}})",
            "data.result[0].values[1][1]: value \"abc\" is not a number (at byte 94)"},
        MalformedCase{
            "numeric_value",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}})",
            "data.result[0].values[0][1]: expected a string value"},
        MalformedCase{
            "string_time",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["1","2"]]}]}})",
            "data.result[0].values[0][0]: expected a number"},
        MalformedCase{
            "huge_time",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1e300,"2"]]}]}})",
            "out of range"},
        MalformedCase{
            "three_elements",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2",3]]}]}})",
            "more than two elements"},
        MalformedCase{
            "one_element",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}})",
            "a point has 1 elements, not 2"},
        MalformedCase{
            "overflow_value",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1e999"]]}]}})",
            "value \"1e999\" is not a number"},
        MalformedCase{
            "no_metric",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}})",
            "data.result[0]: missing \"metric\""},
        MalformedCase{
            "no_values",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}})",
            "missing \"values\""},
        MalformedCase{
            "label_number",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}})",
            "data.result[0].metric.a: expected a string label value"},
        MalformedCase{
            "duplicate_label",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"1","a":"2"},"values":[]}]}})",
            "label \"a\" appears twice"},
        MalformedCase{
            "vector_in_matrix",
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"value":[1,"1"]}]}})",
            "a matrix series has \"value\""},
        MalformedCase{
            "matrix_in_vector",
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"values":[[1,"1"]]}]}})",
            "a vector series has \"values\""},
        MalformedCase{
            "scalar_as_series",
            R"({"status":"success","data":{"resultType":"scalar","result":[{"metric":{},"values":[]}]}})",
            "a scalar result must be a [time, \"value\"] pair"},
        MalformedCase{"matrix_as_pair",
                      R"({"status":"success","data":{"resultType":"matrix","result":[1,"2"]}})",
                      "a matrix result must be an array of series"},
        MalformedCase{"scalar_bad_value",
                      R"({"status":"success","data":{"resultType":"scalar","result":[1,"x"]}})",
                      "data.result[1]: value \"x\" is not a number"},
        MalformedCase{"trailing",
                      R"({"status":"success","data":{"resultType":"vector","result":[]}} {})",
                      "bytes after the JSON object"},
        MalformedCase{
            "warnings_not_strings",
            R"({"status":"success","warnings":[1],"data":{"resultType":"vector","result":[]}})",
            "warnings: expected an array of strings"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace inferscope
