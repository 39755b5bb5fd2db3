// PrometheusClient and RemoteWriteClient against a real VictoriaMetrics 1.79 (Debian
// package), started once for the suite on 127.0.0.1 and stopped by PID.

#include <gtest/gtest.h>

#include <memory>

#include "ingest/httplib_client.h"
#include "ingest/prometheus/prometheus_client.h"
#include "ingest/prometheus/real_server.h"
#include "ingest/prometheus/remote_write_client.h"
#include "support/child_process.h"

namespace inferscope {
namespace {

using inferscope::testing::WireTestData;

constexpr const char* kVictoriaMetrics = "/usr/bin/victoria-metrics";

class VictoriaMetricsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_error_ = inferscope::testing::MissingBinaryMessage(kVictoriaMetrics);
    if (!setup_error_.empty()) return;
    dir_ = inferscope::testing::MakeTempDir("inferscope-vm-");
    port_ = inferscope::testing::FreeLocalPort();
    server_ = std::make_unique<inferscope::testing::ChildProcess>();
    // -search.disableCache: every query reads storage, so a test sees what was just written.
    if (!server_->Start(
            {kVictoriaMetrics, "-httpListenAddr=127.0.0.1:" + std::to_string(port_),
             "-storageDataPath=" + dir_ + "/data", "-search.disableCache", "-loggerLevel=WARN"},
            dir_ + "/victoria-metrics.log")) {
      setup_error_ = "cannot start " + std::string(kVictoriaMetrics);
      return;
    }
    HttplibClient http;
    if (!inferscope::testing::WaitForHttpOk(http, BaseUrl() + "/health")) {
      setup_error_ = "VictoriaMetrics did not become healthy; log:\n" +
                     inferscope::testing::ReadFileTail(dir_ + "/victoria-metrics.log");
      return;
    }
    data_ = WireTestData::Make(SystemClock::Instance().Now());
    RemoteWriteOptions options;
    options.url = BaseUrl() + "/api/v1/write";
    RemoteWriteClient writer(http, options);
    auto written = writer.Write(data_.series);
    if (!written.ok()) {
      setup_error_ = "remote_write of the test data failed: " + written.status().ToString();
      return;
    }
    write_stats_ = *written;
    // VictoriaMetrics buffers fresh samples in memory for a second or so before they are
    // searchable; /internal/force_flush makes them searchable now.
    HttpRequest flush;
    flush.url = BaseUrl() + "/internal/force_flush";
    auto flushed = http.Send(flush);
    if (!flushed.ok() || flushed->status != 200) {
      setup_error_ = "/internal/force_flush failed";
      return;
    }
  }

  static void TearDownTestSuite() {
    if (server_) server_->Kill(SIGTERM);
    server_.reset();
    inferscope::testing::RemoveTree(dir_);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static std::string BaseUrl() { return "http://127.0.0.1:" + std::to_string(port_); }

  static PrometheusClientOptions Options() {
    PrometheusClientOptions options;
    options.base_url = BaseUrl();
    options.retry.initial_backoff_ns = 50 * kNanosPerMilli;
    return options;
  }

  static void ExpectMatchesData(const PrometheusQueryResult& result, TimestampNs start,
                                TimestampNs end, int64_t step) {
    ASSERT_EQ(result.type, PrometheusResultType::kMatrix);
    ASSERT_EQ(result.series.size(), static_cast<size_t>(WireTestData::kSeriesCount));
    const size_t points = static_cast<size_t>((end - start) / step + 1);
    for (int s = 0; s < WireTestData::kSeriesCount; ++s) {
      const PrometheusSeries& series = result.series[s];
      EXPECT_EQ(series.key.ToString(), data_.series[s].key.ToString());
      ASSERT_EQ(series.samples.size(), points) << series.key.ToString();
      for (size_t i = 0; i < points; ++i) {
        TimestampNs t = start + static_cast<int64_t>(i) * step;
        int minute = static_cast<int>((t - data_.first) / kNanosPerMinute);
        ASSERT_EQ(series.samples[i].timestamp_ns, t) << "series " << s << " point " << i;
        ASSERT_EQ(series.samples[i].value, WireTestData::Value(s, minute))
            << "series " << s << " point " << i;
      }
    }
  }

  static inline std::string setup_error_;
  static inline std::string dir_;
  static inline int port_ = 0;
  static inline std::unique_ptr<inferscope::testing::ChildProcess> server_;
  static inline WireTestData data_;
  static inline RemoteWriteStats write_stats_;
};

TEST_F(VictoriaMetricsServerTest, RemoteWriteIsAcceptedOnTheSamePath) {
  EXPECT_EQ(write_stats_.samples_sent, WireTestData::kSeriesCount * WireTestData::kPoints);
  EXPECT_EQ(write_stats_.retries, 0);
}

TEST_F(VictoriaMetricsServerTest, QueryRangeWithGetReturnsTheWrittenValuesExactly) {
  HttplibClient http;
  PrometheusClientOptions options = Options();
  options.method = PrometheusHttpMethod::kGet;
  PrometheusClient client(http, options);
  auto response =
      client.QueryRange("inferscope_wire_test", data_.first, data_.last(), kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectMatchesData(response->result, data_.first, data_.last(), kNanosPerMinute);
  EXPECT_EQ(response->result.series[1].samples[WireTestData::kSpikeIndex].value, 1000.0);
}

TEST_F(VictoriaMetricsServerTest, QueryRangeWithPostReturnsTheSameAnswer) {
  HttplibClient http;
  PrometheusClientOptions options = Options();
  options.method = PrometheusHttpMethod::kPost;
  PrometheusClient client(http, options);
  auto response = client.QueryRange("inferscope_wire_test{job=\"wire\"}", data_.first, data_.last(),
                                    kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectMatchesData(response->result, data_.first, data_.last(), kNanosPerMinute);
}

TEST_F(VictoriaMetricsServerTest, SmallStepIsSplitAndStitchedExactly) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  const int64_t step = 500 * kNanosPerMilli;
  auto response = client.QueryRange("inferscope_wire_test", data_.first, data_.last(), step);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->stats.pieces, 2);
  ExpectMatchesData(response->result, data_.first, data_.last(), step);
}

TEST_F(VictoriaMetricsServerTest, InstantQueryFindsTheSpike) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response = client.Query("inferscope_wire_test > 500", data_.At(WireTestData::kSpikeIndex));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->result.series.size(), 1u);
  EXPECT_EQ(response->result.series[0].key.Label("model"), "m1");
  ASSERT_EQ(response->result.series[0].samples.size(), 1u);
  EXPECT_EQ(response->result.series[0].samples[0].value, 1000.0);
}

TEST_F(VictoriaMetricsServerTest, InvalidQueryIsRefusedWithoutRetries) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response = client.QueryRange("sum(rate(inferscope_wire_test[5m]", data_.first, data_.last(),
                                    kNanosPerMinute);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << response.status().ToString();
  EXPECT_NE(response.status().message().find("(HTTP 422): 422: error when executing query="),
            std::string::npos)
      << response.status().message();
  EXPECT_EQ(response.status().message().find("gave up"), std::string::npos)
      << response.status().message();
}

}  // namespace
}  // namespace inferscope
