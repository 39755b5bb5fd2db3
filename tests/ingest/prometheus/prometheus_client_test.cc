#include "ingest/prometheus/prometheus_client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <functional>
#include <map>
#include <thread>

#include "ingest/httplib_client.h"
#include "support/child_process.h"

namespace inferscope {
namespace {

// An HttpClient that answers from a test function and records every request. Used for the
// arithmetic of splitting and retries; behaviour against real servers is in
// prometheus_server_test.cc and victoria_metrics_server_test.cc.
class ScriptedHttp final : public HttpClient {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  explicit ScriptedHttp(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    return handler_(request);
  }
  std::vector<HttpRequest> requests;

 private:
  Handler handler_;
};

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

// Decodes a form/query string into a map (test-side decoder, independent of the client's).
std::map<std::string, std::string> DecodeForm(std::string_view text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view part = text.substr(pos, amp == std::string_view::npos ? text.npos : amp - pos);
    size_t eq = part.find('=');
    std::string key(part.substr(0, eq));
    std::string value;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size()) {
        value += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else if (raw[i] == '+') {
        value += ' ';
      } else {
        value += raw[i];
      }
    }
    out[key] = value;
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

std::map<std::string, std::string> Params(const HttpRequest& r) {
  if (r.method == "POST") return DecodeForm(r.body);
  size_t q = r.url.find('?');
  return DecodeForm(q == std::string::npos ? std::string_view()
                                           : std::string_view(r.url).substr(q + 1));
}

// A fake range query: series "m" with value = seconds since the epoch at every grid point,
// and "n" only at grid points past `n_from_s`. With `overlap`, every piece but the first also
// repeats the previous piece's last point, as a server that aligns ranges might.
HttpResponse FakeRange(const HttpRequest& r, bool overlap = false, double n_from_s = 0) {
  auto p = Params(r);
  double start = std::stod(p.at("start"));
  double end = std::stod(p.at("end"));
  double step = std::stod(p.at("step"));
  if (overlap && start > 1.7e9) start -= step;
  std::string m_values, n_values;
  for (double t = start; t <= end + 1e-9; t += step) {
    std::string point = fmt::format("[{:.3f},\"{:.3f}\"]", t, t);
    m_values += (m_values.empty() ? "" : ",") + point;
    if (t > n_from_s) n_values += (n_values.empty() ? "" : ",") + point;
  }
  std::string result = R"({"metric":{"__name__":"m"},"values":[)" + m_values + "]}";
  if (!n_values.empty()) result += R"(,{"metric":{"__name__":"n"},"values":[)" + n_values + "]}";
  return Json(200,
              R"({"status":"success","data":{"resultType":"matrix","result":[)" + result + "]}}");
}

struct Harness {
  explicit Harness(ScriptedHttp::Handler handler, PrometheusClientOptions options = {})
      : http(std::move(handler)),
        client(http, WithUrl(std::move(options)), clock, [this](int64_t ns) {
          sleeps.push_back(ns);
          clock.Advance(ns);
        }) {}
  static PrometheusClientOptions WithUrl(PrometheusClientOptions o) {
    if (o.base_url.empty()) o.base_url = "http://prom.test:9090/";
    return o;
  }
  ManualClock clock{1'700'000'000 * kNanosPerSecond};
  std::vector<int64_t> sleeps;
  ScriptedHttp http;
  PrometheusClient client;
};

constexpr TimestampNs kT0 = 1'700'000'000 * kNanosPerSecond;

TEST(PrometheusClientTest, SendsAGetWithEncodedParameters) {
  Harness h([](const HttpRequest& r) { return FakeRange(r); });
  auto response = h.client.QueryRange("rate(x{job=\"a b\"}[5m])", kT0, kT0 + 2 * kNanosPerMinute,
                                      kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(h.http.requests.size(), 1u);
  const HttpRequest& r = h.http.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(
      r.url,
      "http://prom.test:9090/api/v1/query_range?query=rate%28x%7Bjob%3D%22a%20b%22%7D%5B5m%5D%29"
      "&start=1700000000&end=1700000120&step=60&timeout=30");
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(35'000));
  EXPECT_EQ(response->stats.pieces, 1);
  ASSERT_EQ(response->result.series.size(), 2u);
  EXPECT_EQ(response->result.series[0].key, SeriesKey("m", {}));
  EXPECT_EQ(response->result.series[0].samples,
            (std::vector<Sample>{{kT0, 1.7e9},
                                 {kT0 + kNanosPerMinute, 1.7e9 + 60},
                                 {kT0 + 2 * kNanosPerMinute, 1.7e9 + 120}}));
}

TEST(PrometheusClientTest, PostsFormEncodedBodyWhenTheQueryIsLong) {
  Harness h([](const HttpRequest& r) { return FakeRange(r); });
  std::string long_query =
      "sum by (model) (rate(requests_total{model=~\"" + std::string(5000, 'a') + "\"}[5m]))";
  auto response = h.client.QueryRange(long_query, kT0, kT0 + kNanosPerMinute, kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(h.http.requests.size(), 1u);
  const HttpRequest& r = h.http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://prom.test:9090/api/v1/query_range");
  EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(Params(r).at("query"), long_query);
  EXPECT_EQ(Params(r).at("start"), "1700000000");
}

TEST(PrometheusClientTest, InstantQueryFormatsMillisecondTime) {
  Harness h([](const HttpRequest&) {
    return Json(
        200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"2"]}})");
  });
  auto response = h.client.Query("1+1", kT0 + 250 * kNanosPerMilli);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(Params(h.http.requests.at(0)).at("time"), "1700000000.25");
  EXPECT_EQ(h.http.requests[0].url.substr(0, 36), "http://prom.test:9090/api/v1/query?q");
  EXPECT_EQ(response->result.series.at(0).samples.at(0).value, 2.0);
}

TEST(PrometheusClientTest, SplitsLongRangesAndStitchesWithoutDuplicates) {
  // 3 hours at 500 ms = 21,601 points per series: two requests under Prometheus' 11,000.
  const double n_from = 1.7e9 + 3 * 3600 - 100;  // "n" appears only in the second piece
  Harness h([&](const HttpRequest& r) { return FakeRange(r, /*overlap=*/true, n_from); });
  auto response = h.client.QueryRange("m", kT0, kT0 + 3 * kNanosPerHour, 500 * kNanosPerMilli);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(h.http.requests.size(), 2u);
  EXPECT_EQ(Params(h.http.requests[0]).at("start"), "1700000000");
  EXPECT_EQ(Params(h.http.requests[0]).at("end"), "1700005499.5");
  EXPECT_EQ(Params(h.http.requests[1]).at("start"), "1700005500");
  EXPECT_EQ(Params(h.http.requests[1]).at("end"), "1700010800");
  EXPECT_EQ(response->stats.pieces, 2);
  ASSERT_EQ(response->result.series.size(), 2u);
  const auto& m = response->result.series[0].samples;
  ASSERT_EQ(m.size(), 21'601u);
  for (size_t i = 0; i < m.size(); ++i) {
    ASSERT_EQ(m[i].timestamp_ns, kT0 + static_cast<int64_t>(i) * 500 * kNanosPerMilli) << i;
    ASSERT_EQ(m[i].value, 1.7e9 + 0.5 * static_cast<double>(i)) << i;
  }
  const auto& n = response->result.series[1];
  EXPECT_EQ(n.key, SeriesKey("n", {}));
  EXPECT_EQ(n.samples.size(), 200u);  // (end - 100 s, end] at 0.5 s
}

TEST(PrometheusClientTest, RefusesStepsThatAreNotWholeMilliseconds) {
  Harness h([](const HttpRequest& r) { return FakeRange(r); });
  EXPECT_EQ(h.client.QueryRange("m", kT0, kT0 + kNanosPerSecond, 1500).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.client.QueryRange("m", kT0, kT0 + kNanosPerSecond, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(h.http.requests.empty());
}

TEST(PrometheusClientTest, RetriesServerErrorsWithBackoffThenSucceeds) {
  int calls = 0;
  Harness h([&](const HttpRequest& r) -> Result<HttpResponse> {
    ++calls;
    if (calls == 1) return Status::Unavailable("GET x: Connection refused");
    if (calls == 2)
      return Json(503, R"({"status":"error","errorType":"unavailable","error":"busy"})");
    return FakeRange(r);
  });
  auto response = h.client.QueryRange("m", kT0, kT0 + kNanosPerMinute, kNanosPerMinute);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(h.sleeps, (std::vector<int64_t>{500 * kNanosPerMilli, 1000 * kNanosPerMilli}));
  EXPECT_EQ(response->stats.requests, 3);
  EXPECT_EQ(response->stats.retries, 2);
}

TEST(PrometheusClientTest, GivesUpAfterMaxAttemptsWithAClearMessage) {
  Harness h([](const HttpRequest&) -> Result<HttpResponse> {
    return Status::Unavailable(
        "GET http://prom.test:9090/api/v1/query: Could not establish connection");
  });
  auto response = h.client.Query("up", kT0);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.http.requests.size(), 4u);
  EXPECT_EQ(h.sleeps, (std::vector<int64_t>{500 * kNanosPerMilli, 1000 * kNanosPerMilli,
                                            2000 * kNanosPerMilli}));
  EXPECT_NE(response.status().message().find(
                "cannot query Prometheus at http://prom.test:9090/api/v1/query"),
            std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("Could not establish connection"), std::string::npos);
  EXPECT_NE(response.status().message().find("gave up after 4 attempts"), std::string::npos);
}

TEST(PrometheusClientTest, StopsRetryingWhenTheBudgetIsSpent) {
  PrometheusClientOptions options;
  options.retry.max_attempts = 100;
  options.retry.total_budget_ns = 5 * kNanosPerSecond;
  Harness h([](const HttpRequest&) { return Json(502, "<html>Bad Gateway</html>"); }, options);
  auto response = h.client.Query("up", kT0);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  // Waits 0.5 + 1 + 2 = 3.5 s; the next (4 s) would pass the 5 s budget.
  EXPECT_EQ(h.http.requests.size(), 4u);
  EXPECT_NE(response.status().message().find("HTTP 502: <html>Bad Gateway</html>"),
            std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("retry budget"), std::string::npos);
}

TEST(PrometheusClientTest, HonoursRetryAfter) {
  int calls = 0;
  Harness h([&](const HttpRequest& r) {
    if (++calls == 1) {
      HttpResponse busy = Json(429, "too many requests");
      busy.headers.emplace_back("Retry-After", "3");
      return busy;
    }
    return FakeRange(r);
  });
  ASSERT_TRUE(h.client.QueryRange("m", kT0, kT0, kNanosPerMinute).ok());
  EXPECT_EQ(h.sleeps, (std::vector<int64_t>{3 * kNanosPerSecond}));
}

TEST(PrometheusClientTest, DoesNotRetryBadDataAndReportsTheServersMessage) {
  Harness h([](const HttpRequest&) {
    return Json(
        400,
        R"({"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"})");
  });
  auto response = h.client.Query("up{", kT0);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.http.requests.size(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(response.status().message(),
            "Prometheus API http://prom.test:9090/api/v1/query (HTTP 400): bad_data: 1:4: parse "
            "error: unexpected end of input");
}

TEST(PrometheusClientTest, ExplainsAuthenticationFailures) {
  Harness h([](const HttpRequest&) { return Json(401, "Unauthorized\n"); });
  auto response = h.client.Query("up", kT0);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.http.requests.size(), 1u);
  EXPECT_NE(response.status().message().find("authentication failed"), std::string::npos);
  EXPECT_NE(response.status().message().find("HTTP 401: Unauthorized"), std::string::npos);
}

TEST(PrometheusClientTest, MalformedSuccessBodyIsDataLossWithoutRetry) {
  Harness h([](const HttpRequest&) {
    return Json(
        200,
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}})");
  });
  auto response = h.client.QueryRange("m", kT0, kT0, kNanosPerMinute);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(h.http.requests.size(), 1u);
  EXPECT_NE(response.status().message().find("data.result[0].values[0][1]"), std::string::npos);
}

TEST(PrometheusClientTest, RangeQueryAnsweredWithAVectorIsDataLoss) {
  Harness h([](const HttpRequest&) {
    return Json(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  });
  auto response = h.client.QueryRange("m", kT0, kT0, kNanosPerMinute);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(response.status().message().find("not a matrix"), std::string::npos);
}

TEST(PrometheusClientTest, FormatsSecondsWithMillisecondPrecision) {
  EXPECT_EQ(FormatPrometheusSeconds(0), "0");
  EXPECT_EQ(FormatPrometheusSeconds(kT0), "1700000000");
  EXPECT_EQ(FormatPrometheusSeconds(kT0 + 500 * kNanosPerMilli), "1700000000.5");
  EXPECT_EQ(FormatPrometheusSeconds(kT0 + 5 * kNanosPerMilli + 999), "1700000000.005");
  EXPECT_EQ(FormatPrometheusSeconds(-1500 * kNanosPerMilli), "-1.5");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

// --- a real local HTTP server answering garbage, and a port nobody listens on --------------

class PrometheusClientLocalServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/api/v1/query_range", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"val)",
          "application/json");
    });
    server_.Get("/api/v1/query", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("not json at all", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    ASSERT_TRUE(inferscope::testing::WaitForPort(port_, std::chrono::seconds(5)));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(PrometheusClientLocalServerTest, TruncatedJsonFromARealServerIsDataLoss) {
  HttplibClient http;
  PrometheusClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port_);
  PrometheusClient client(http, options);
  auto response = client.QueryRange("up", kT0, kT0 + kNanosPerMinute, kNanosPerMinute);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(response.status().message().find("malformed Prometheus answer"), std::string::npos)
      << response.status().message();
  auto instant = client.Query("up", kT0);
  ASSERT_FALSE(instant.ok());
  EXPECT_EQ(instant.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(instant.status().message().find("expected a JSON object at the top level"),
            std::string::npos)
      << instant.status().message();
}

TEST(PrometheusClientUnreachableTest, UnreachablePortIsUnavailableAfterBoundedRetries) {
  int port = inferscope::testing::FreeLocalPort();  // nothing listens there
  HttplibClient http;
  PrometheusClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.retry.max_attempts = 3;
  options.retry.initial_backoff_ns = 10 * kNanosPerMilli;
  PrometheusClient client(http, options);
  auto started = std::chrono::steady_clock::now();
  auto response = client.Query("up", kT0);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("gave up after 3 attempts"), std::string::npos)
      << response.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace inferscope
