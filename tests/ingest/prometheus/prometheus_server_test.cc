// PrometheusClient and RemoteWriteClient against a real Prometheus 2.42 (Debian package),
// started once for the suite on 127.0.0.1 with the remote-write receiver and stopped by PID.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "ingest/httplib_client.h"
#include "ingest/prometheus/anomaly_output_series.h"
#include "ingest/prometheus/prometheus_client.h"
#include "ingest/prometheus/real_server.h"
#include "ingest/prometheus/remote_write_client.h"
#include "support/child_process.h"

namespace inferscope {
namespace {

using inferscope::testing::WireTestData;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

class PrometheusServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_error_ = inferscope::testing::MissingBinaryMessage(kPrometheus);
    if (!setup_error_.empty()) return;
    dir_ = inferscope::testing::MakeTempDir("inferscope-prom-");
    std::string config = dir_ + "/prometheus.yml";
    // No scrape targets: the only data is what the tests write.
    inferscope::testing::WriteFile(config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
    port_ = inferscope::testing::FreeLocalPort();
    server_ = std::make_unique<inferscope::testing::ChildProcess>();
    if (!server_->Start(
            {kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + dir_ + "/data",
             "--web.listen-address=127.0.0.1:" + std::to_string(port_),
             "--web.enable-remote-write-receiver"},
            dir_ + "/prometheus.log")) {
      setup_error_ = "cannot start " + std::string(kPrometheus);
      return;
    }
    HttplibClient http;
    if (!inferscope::testing::WaitForHttpOk(http, BaseUrl() + "/-/ready")) {
      setup_error_ = "Prometheus did not become ready; log:\n" +
                     inferscope::testing::ReadFileTail(dir_ + "/prometheus.log");
      return;
    }
    // Everything the tests read is written once, in one time-ordered pass: Prometheus
    // refuses samples older than its head's newest minus one hour ("out of bounds"), so
    // writing the 3-hour history series by series would fail.
    data_ = WireTestData::Make(SystemClock::Instance().Now());
    std::vector<PrometheusSeries> all = data_.series;
    PrometheusSeries special;
    special.key = SeriesKey("inferscope_wire_special", {});
    special.samples = {{data_.At(0), std::nan("")},
                       {data_.At(1), INFINITY},
                       {data_.At(2), -INFINITY},
                       {data_.At(3), 0.1}};
    all.push_back(special);
    std::vector<AnomalyOutputPoint> points;
    for (int i = 0; i < WireTestData::kPoints; ++i) {
      double score = i == WireTestData::kSpikeIndex ? 1.0 : 0.0;
      points.push_back({data_.At(i), score, 110.0, 100.0, 120.0});
    }
    // A forecast one hour ahead: RemoteWriteClient must not send it.
    points.push_back({data_.last() + kNanosPerHour + 3 * kNanosPerMinute, 0.0, 1, 1, 1});
    for (PrometheusSeries& s : BuildAnomalyOutputSeries(data_.series[1].key, "robust_z", points)) {
      all.push_back(std::move(s));
    }
    RemoteWriteOptions options;
    options.url = BaseUrl() + "/api/v1/write";
    options.max_samples_per_request = 500;  // several requests, oldest first
    RemoteWriteClient writer(http, options);
    auto written = writer.Write(all);
    if (!written.ok()) {
      setup_error_ = "remote_write of the test data failed: " + written.status().ToString();
      return;
    }
    write_stats_ = *written;
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

  // Checks a stitched matrix against the written data: value at t = the newest sample at or
  // before t (Prometheus' instant-vector selection; the 5-minute lookback always holds one).
  static void ExpectMatchesData(const PrometheusQueryResult& result, TimestampNs start,
                                TimestampNs end, int64_t step) {
    ASSERT_EQ(result.type, PrometheusResultType::kMatrix);
    ASSERT_EQ(result.series.size(), static_cast<size_t>(WireTestData::kSeriesCount));
    const size_t points = static_cast<size_t>((end - start) / step + 1);
    for (int s = 0; s < WireTestData::kSeriesCount; ++s) {
      const PrometheusSeries& series = result.series[s];
      EXPECT_EQ(series.key, data_.series[s].key);
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

TEST_F(PrometheusServerTest, RemoteWriteSentEveryPastSampleInTimeOrderedRequests) {
  // 3 input series, 4 special values, 4 anomaly output series; the forecast point of each
  // output series was skipped.
  EXPECT_EQ(write_stats_.samples_sent, (3 + 4) * WireTestData::kPoints + 4);
  EXPECT_EQ(write_stats_.samples_skipped_future, 4);
  EXPECT_EQ(write_stats_.series, 3 + 1 + 4);
  EXPECT_EQ(write_stats_.requests, 3);  // 1264 samples, 500 per request
  EXPECT_EQ(write_stats_.retries, 0);
}

TEST_F(PrometheusServerTest, QueryRangeWithGetReturnsTheWrittenValuesExactly) {
  HttplibClient http;
  PrometheusClientOptions options = Options();
  options.method = PrometheusHttpMethod::kGet;
  PrometheusClient client(http, options);
  auto response =
      client.QueryRange("inferscope_wire_test", data_.first, data_.last(), kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->stats.pieces, 1);
  EXPECT_EQ(response->stats.requests, 1);
  ExpectMatchesData(response->result, data_.first, data_.last(), kNanosPerMinute);
  // The injected spike is where it was written.
  EXPECT_EQ(response->result.series[1].samples[WireTestData::kSpikeIndex].value, 1000.0);
}

TEST_F(PrometheusServerTest, QueryRangeWithPostReturnsTheSameAnswer) {
  HttplibClient http;
  PrometheusClientOptions options = Options();
  options.method = PrometheusHttpMethod::kPost;
  PrometheusClient client(http, options);
  auto response = client.QueryRange("inferscope_wire_test{job=\"wire\"}", data_.first, data_.last(),
                                    kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectMatchesData(response->result, data_.first, data_.last(), kNanosPerMinute);
}

TEST_F(PrometheusServerTest, LongQueryGoesByPostAutomatically) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  // A selector of ~6 KB: too long for a GET URL under the default 4 KB threshold.
  std::string regex = "m0|m1|m2";
  for (int i = 0; i < 600; ++i) regex += "|x" + std::to_string(i) + "yz";
  auto response = client.QueryRange("inferscope_wire_test{model=~\"" + regex + "\"}", data_.first,
                                    data_.last(), kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectMatchesData(response->result, data_.first, data_.last(), kNanosPerMinute);
}

TEST_F(PrometheusServerTest, SmallStepIsSplitUnderTheServersLimitAndStitchedExactly) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  const int64_t step = 500 * kNanosPerMilli;  // 179 min / 0.5 s + 1 = 21,481 points per series
  auto response = client.QueryRange("inferscope_wire_test", data_.first, data_.last(), step);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->stats.pieces, 2);
  ExpectMatchesData(response->result, data_.first, data_.last(), step);
}

TEST_F(PrometheusServerTest, ServerRefusesTheSameRangeUnsplit) {
  HttplibClient http;
  PrometheusClientOptions options = Options();
  options.max_points_per_request = 1'000'000;  // no splitting
  PrometheusClient client(http, options);
  auto response =
      client.QueryRange("inferscope_wire_test", data_.first, data_.last(), 500 * kNanosPerMilli);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(response.status().message().find("bad_data"), std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("11,000 points"), std::string::npos)
      << response.status().message();
}

TEST_F(PrometheusServerTest, InstantQueryFindsTheSpike) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response = client.Query("inferscope_wire_test > 500", data_.At(WireTestData::kSpikeIndex));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->result.type, PrometheusResultType::kVector);
  ASSERT_EQ(response->result.series.size(), 1u);
  EXPECT_EQ(response->result.series[0].key.Label("model"), "m1");
  EXPECT_EQ(response->result.series[0].samples,
            (std::vector<Sample>{{data_.At(WireTestData::kSpikeIndex), 1000.0}}));
  auto scalar = client.Query("scalar(count(inferscope_wire_test))", data_.last());
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(scalar->result.type, PrometheusResultType::kScalar);
  EXPECT_EQ(scalar->result.series.at(0).samples.at(0).value, 3.0);
}

TEST_F(PrometheusServerTest, InvalidPromQLIsBadDataWithoutRetries) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response = client.QueryRange("sum(rate(inferscope_wire_test[5m]", data_.first, data_.last(),
                                    kNanosPerMinute);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(response.status().message().find("(HTTP 400): bad_data: "), std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("parse error"), std::string::npos)
      << response.status().message();
}

TEST_F(PrometheusServerTest, NaNAndInfinityTravelBothWays) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response =
      client.QueryRange("inferscope_wire_special", data_.At(0), data_.At(3), kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->result.series.size(), 1u);
  const auto& samples = response->result.series[0].samples;
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_TRUE(std::isnan(samples[0].value));
  EXPECT_EQ(samples[1].value, INFINITY);
  EXPECT_EQ(samples[2].value, -INFINITY);
  EXPECT_EQ(samples[3].value, 0.1);
}

TEST_F(PrometheusServerTest, AnomalyOutputSeriesAreQueryableWithInputLabelsAndDetector) {
  HttplibClient http;
  PrometheusClient client(http, Options());
  auto response = client.Query("inferscope_anomaly_score{detector=\"robust_z\"} == 1",
                               data_.At(WireTestData::kSpikeIndex));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->result.series.size(), 1u);
  // A filtering comparison keeps the metric name.
  EXPECT_EQ(response->result.series[0].key.ToString(),
            "inferscope_anomaly_score{detector=\"robust_z\",job=\"wire\",model=\"m1\","
            "source_metric=\"inferscope_wire_test\"}");
  auto band = client.QueryRange("inferscope_expected_upper{model=\"m1\"}", data_.first,
                                data_.last(), kNanosPerMinute);
  ASSERT_TRUE(band.ok()) << band.status().ToString();
  ASSERT_EQ(band->result.series.size(), 1u);
  EXPECT_EQ(band->result.series[0].samples.size(), static_cast<size_t>(WireTestData::kPoints));
  EXPECT_EQ(band->result.series[0].samples.back().value, 120.0);
}

TEST_F(PrometheusServerTest, ResendingStoredSamplesIsRefusedWithTheServersMessage) {
  HttplibClient http;
  RemoteWriteOptions write_options;
  write_options.url = BaseUrl() + "/api/v1/write";
  RemoteWriteClient writer(http, write_options);
  // Within the head's last hour: stored timestamps again (new values) are out of order.
  PrometheusSeries recent;
  recent.key = data_.series[0].key;
  for (int i = WireTestData::kPoints - 30; i < WireTestData::kPoints - 1; ++i) {
    recent.samples.push_back({data_.At(i), WireTestData::Value(0, i) + 1});
  }
  auto written = writer.Write({recent});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(written.status().message().find("HTTP 400: out of order sample"), std::string::npos)
      << written.status().message();
  EXPECT_EQ(written.status().message().find("gave up"), std::string::npos);  // no retries
  // More than an hour before the head's newest sample: out of bounds, whatever the series.
  PrometheusSeries old;
  old.key = SeriesKey("inferscope_wire_new_series", {});
  old.samples = {{data_.At(0), 1.0}};
  auto refused = writer.Write({old});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("HTTP 400: out of bounds"), std::string::npos)
      << refused.status().message();
}

// --- TLS and basic auth, with Prometheus' own web config -------------------------------

constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr const char* kUser = "inferscope";
constexpr const char* kPassword = "inferscope-test-pw";
// bcrypt of kPassword (cost 4, test only), as Prometheus' web config wants it.
constexpr const char* kPasswordHash =
    "$2b$04$QWt4eSPTmd4Ln.QIE51rzuxbGdbnTKc3Lsxy.2zNvmF5x0z.eQA6.";

class PrometheusTlsAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* binary : {kPrometheus, kOpenssl}) {
      setup_error_ = inferscope::testing::MissingBinaryMessage(binary);
      if (!setup_error_.empty()) return;
    }
    dir_ = inferscope::testing::MakeTempDir("inferscope-prom-tls-");
    // A self-signed certificate for 127.0.0.1, made for this run.
    std::string openssl = std::string(kOpenssl) +
                          " req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
                          " -addext subjectAltName=IP:127.0.0.1 -keyout " +
                          dir_ + "/key.pem -out " + dir_ + "/cert.pem >" + dir_ +
                          "/openssl.log 2>&1";
    if (std::system(openssl.c_str()) != 0) {
      setup_error_ = "openssl could not make a test certificate: " +
                     inferscope::testing::ReadFileTail(dir_ + "/openssl.log");
      return;
    }
    inferscope::testing::WriteFile(dir_ + "/prometheus.yml", "scrape_configs: []\n");
    inferscope::testing::WriteFile(dir_ + "/web.yml", "tls_server_config:\n  cert_file: " + dir_ +
                                                          "/cert.pem\n  key_file: " + dir_ +
                                                          "/key.pem\nbasic_auth_users:\n  " +
                                                          kUser + ": " + kPasswordHash + "\n");
    port_ = inferscope::testing::FreeLocalPort();
    server_ = std::make_unique<inferscope::testing::ChildProcess>();
    if (!server_->Start({kPrometheus, "--config.file=" + dir_ + "/prometheus.yml",
                         "--storage.tsdb.path=" + dir_ + "/data",
                         "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                         "--web.config.file=" + dir_ + "/web.yml"},
                        dir_ + "/prometheus.log")) {
      setup_error_ = "cannot start " + std::string(kPrometheus);
      return;
    }
    HttplibClient http(GoodOptions());
    if (!inferscope::testing::WaitForHttpOk(http, BaseUrl() + "/-/ready")) {
      setup_error_ = "Prometheus (TLS) did not become ready; log:\n" +
                     inferscope::testing::ReadFileTail(dir_ + "/prometheus.log");
    }
  }

  static void TearDownTestSuite() {
    if (server_) server_->Kill(SIGTERM);
    server_.reset();
    inferscope::testing::RemoveTree(dir_);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static std::string BaseUrl() { return "https://127.0.0.1:" + std::to_string(port_); }

  static HttpClientOptions GoodOptions() {
    HttpClientOptions options;
    options.ca_file = dir_ + "/cert.pem";
    options.basic_user = kUser;
    options.basic_password = kPassword;
    return options;
  }

  static PrometheusClientOptions ClientOptions() {
    PrometheusClientOptions options;
    options.base_url = BaseUrl();
    options.retry.max_attempts = 2;
    options.retry.initial_backoff_ns = 10 * kNanosPerMilli;
    return options;
  }

  static inline std::string setup_error_;
  static inline std::string dir_;
  static inline int port_ = 0;
  static inline std::unique_ptr<inferscope::testing::ChildProcess> server_;
};

TEST_F(PrometheusTlsAuthTest, QueriesOverTlsWithBasicAuth) {
  HttplibClient http(GoodOptions());
  PrometheusClient client(http, ClientOptions());
  auto response = client.Query("vector(42)", SystemClock::Instance().Now());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->result.series.size(), 1u);
  EXPECT_EQ(response->result.series[0].samples.at(0).value, 42.0);
}

TEST_F(PrometheusTlsAuthTest, WrongPasswordIsAnAuthenticationErrorWithoutRetries) {
  HttpClientOptions options = GoodOptions();
  options.basic_password = "wrong";
  HttplibClient http(options);
  PrometheusClient client(http, ClientOptions());
  auto response = client.Query("vector(1)", SystemClock::Instance().Now());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(response.status().message().find("authentication failed"), std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("HTTP 401"), std::string::npos);
}

TEST_F(PrometheusTlsAuthTest, UntrustedCertificateIsUnavailableAfterBoundedRetries) {
  HttpClientOptions options = GoodOptions();
  options.ca_file.clear();  // the system store does not know the test certificate
  HttplibClient http(options);
  PrometheusClient client(http, ClientOptions());
  auto response = client.Query("vector(1)", SystemClock::Instance().Now());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("gave up after 2 attempts"), std::string::npos)
      << response.status().message();
}

}  // namespace
}  // namespace inferscope
