#include "ingest/prometheus/remote_write_client.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <functional>

#include "prometheus/remote.pb.h"

namespace inferscope {
namespace {

// Records requests and answers from a test function (the receiving side against real
// servers is in prometheus_server_test.cc / victoria_metrics_server_test.cc).
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

HttpResponse Reply(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

prometheus::WriteRequest Decode(const HttpRequest& r) {
  std::string raw;
  EXPECT_TRUE(snappy::Uncompress(r.body.data(), r.body.size(), &raw));
  prometheus::WriteRequest out;
  EXPECT_TRUE(out.ParseFromString(raw));
  return out;
}

constexpr TimestampNs kNow = 1'700'000'000 * kNanosPerSecond;

struct Harness {
  explicit Harness(ScriptedHttp::Handler handler, RemoteWriteOptions options = {})
      : http(std::move(handler)),
        client(http, WithUrl(std::move(options)), clock, [this](int64_t ns) {
          sleeps.push_back(ns);
          clock.Advance(ns);
        }) {}
  static RemoteWriteOptions WithUrl(RemoteWriteOptions o) {
    o.url = "http://prom.test:9090/api/v1/write";
    return o;
  }
  ManualClock clock{kNow};
  std::vector<int64_t> sleeps;
  ScriptedHttp http;
  RemoteWriteClient client;
};

PrometheusSeries Series(std::string metric, std::vector<std::pair<std::string, std::string>> labels,
                        std::vector<Sample> samples) {
  return PrometheusSeries{SeriesKey(std::move(metric), std::move(labels)), std::move(samples)};
}

TEST(RemoteWriteClientTest, SendsSnappyProtobufWithTheThreeHeadersAndSortedLabels) {
  Harness h([](const HttpRequest&) { return Reply(204); });
  auto stats =
      h.client.Write({Series("latency_p95", {{"model", "m1"}, {"Zone", "eu"}, {"empty", ""}},
                             {{kNow - 60 * kNanosPerSecond, 1.5}, {kNow, 2.5}})});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(h.http.requests.size(), 1u);
  const HttpRequest& r = h.http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://prom.test:9090/api/v1/write");
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  auto header = [&](std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (HeaderNameEquals(k, name)) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header("Content-Encoding"), "snappy");
  EXPECT_EQ(header("X-Prometheus-Remote-Write-Version"), "0.1.0");
  prometheus::WriteRequest wr = Decode(r);
  ASSERT_EQ(wr.timeseries_size(), 1);
  const auto& ts = wr.timeseries(0);
  // Byte order: "Zone" < "__name__" < "model"; the empty label is dropped.
  ASSERT_EQ(ts.labels_size(), 3);
  EXPECT_EQ(ts.labels(0).name(), "Zone");
  EXPECT_EQ(ts.labels(1).name(), "__name__");
  EXPECT_EQ(ts.labels(1).value(), "latency_p95");
  EXPECT_EQ(ts.labels(2).name(), "model");
  ASSERT_EQ(ts.samples_size(), 2);
  EXPECT_EQ(ts.samples(0).timestamp(), 1'700'000'000'000 - 60'000);
  EXPECT_EQ(ts.samples(0).value(), 1.5);
  EXPECT_EQ(ts.samples(1).timestamp(), 1'700'000'000'000);
  EXPECT_EQ(stats->samples_sent, 2);
  EXPECT_EQ(stats->series, 1);
  EXPECT_EQ(stats->samples_skipped_future, 0);
}

TEST(RemoteWriteClientTest, NeverSendsSamplesLaterThanNow) {
  Harness h([](const HttpRequest&) { return Reply(204); });
  auto stats = h.client.Write(
      {Series("forecast", {}, {{kNow - 1, 1}, {kNow, 2}, {kNow + 1, 3}, {kNow + kNanosPerHour, 4}}),
       Series("later", {}, {{kNow + kNanosPerMinute, 5}})});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->samples_sent, 2);
  EXPECT_EQ(stats->samples_skipped_future, 3);
  EXPECT_EQ(stats->series, 1);
  ASSERT_EQ(h.http.requests.size(), 1u);
  prometheus::WriteRequest wr = Decode(h.http.requests[0]);
  ASSERT_EQ(wr.timeseries_size(), 1);
  for (const auto& s : wr.timeseries(0).samples()) EXPECT_LE(s.timestamp(), kNow / kNanosPerMilli);
}

TEST(RemoteWriteClientTest, NothingToSendMeansNoRequest) {
  Harness h([](const HttpRequest&) { return Reply(204); });
  auto stats = h.client.Write({Series("x", {}, {{kNow + 1, 1}})});
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(h.http.requests.empty());
}

TEST(RemoteWriteClientTest, CutsRequestsInTimeOrderAcrossSeries) {
  RemoteWriteOptions options;
  options.max_samples_per_request = 4;
  Harness h([](const HttpRequest&) { return Reply(204); }, options);
  std::vector<Sample> a, b;
  for (int i = 0; i < 5; ++i) {
    a.push_back({kNow - (10 - i) * kNanosPerMinute, static_cast<double>(i)});
    b.push_back({kNow - (10 - i) * kNanosPerMinute, static_cast<double>(10 + i)});
  }
  auto stats = h.client.Write({Series("a", {}, a), Series("b", {}, b)});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(h.http.requests.size(), 3u);  // 10 samples, 4 per request
  int64_t previous_max = INT64_MIN;
  int total = 0;
  for (const HttpRequest& r : h.http.requests) {
    prometheus::WriteRequest wr = Decode(r);
    int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
    for (const auto& ts : wr.timeseries()) {
      for (const auto& s : ts.samples()) {
        min_ts = std::min<int64_t>(min_ts, s.timestamp());
        max_ts = std::max<int64_t>(max_ts, s.timestamp());
        ++total;
      }
    }
    // Every request is no older than the one before: the receiver's head only moves forward.
    EXPECT_GE(min_ts, previous_max);
    previous_max = max_ts;
  }
  EXPECT_EQ(total, 10);
  // The first request holds the two oldest minutes of both series.
  prometheus::WriteRequest first = Decode(h.http.requests[0]);
  ASSERT_EQ(first.timeseries_size(), 2);
  EXPECT_EQ(first.timeseries(0).samples_size(), 2);
  EXPECT_EQ(first.timeseries(1).samples_size(), 2);
}

TEST(RemoteWriteClientTest, ClientErrorsAreFinalAndCarryTheServersMessage) {
  Harness h([](const HttpRequest&) { return Reply(400, "out of order sample\n"); });
  auto stats = h.client.Write({Series("x", {}, {{kNow - kNanosPerMinute, 1}})});
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.http.requests.size(), 1u);
  EXPECT_NE(stats.status().message().find("HTTP 400: out of order sample"), std::string::npos)
      << stats.status().message();
}

TEST(RemoteWriteClientTest, NotFoundHintsAtTheReceiverFlag) {
  Harness h([](const HttpRequest&) { return Reply(404, "404 page not found"); });
  auto stats = h.client.Write({Series("x", {}, {{kNow - kNanosPerMinute, 1}})});
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stats.status().message().find("--web.enable-remote-write-receiver"), std::string::npos);
}

TEST(RemoteWriteClientTest, ServerErrorsAreRetriedThenUnavailable) {
  Harness h([](const HttpRequest&) { return Reply(503, "tsdb busy"); });
  auto stats = h.client.Write({Series("x", {}, {{kNow - kNanosPerMinute, 1}})});
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.http.requests.size(), 4u);
  EXPECT_EQ(h.sleeps.size(), 3u);
  EXPECT_NE(stats.status().message().find("HTTP 503: tsdb busy"), std::string::npos);
  EXPECT_NE(stats.status().message().find("gave up after 4 attempts"), std::string::npos);
}

TEST(RemoteWriteClientTest, ATransientFailureIsRetriedOnce) {
  int calls = 0;
  Harness h([&](const HttpRequest&) -> Result<HttpResponse> {
    if (++calls == 1) return Status::Unavailable("POST x: Connection refused");
    return Reply(204);
  });
  auto stats = h.client.Write({Series("x", {}, {{kNow - kNanosPerMinute, 1}})});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->requests, 2);
  EXPECT_EQ(stats->retries, 1);
  EXPECT_EQ(h.http.requests[0].body, h.http.requests[1].body);
}

TEST(RemoteWriteClientTest, RejectsInvalidNamesAndUnorderedSamplesBeforeSending) {
  Harness h([](const HttpRequest&) { return Reply(204); });
  EXPECT_EQ(h.client.Write({Series("bad-name", {}, {{1, 1}})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.client.Write({Series("", {}, {{1, 1}})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.client.Write({Series("ok", {{"1abc", "v"}}, {{1, 1}})}).status().code(),
            StatusCode::kInvalidArgument);
  auto unordered = h.client.Write({Series("ok", {}, {{2, 1}, {2, 2}})});
  EXPECT_EQ(unordered.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unordered.status().message().find("not strictly ascending"), std::string::npos);
  EXPECT_TRUE(h.http.requests.empty());
  EXPECT_TRUE(IsValidPrometheusMetricName("vllm:e2e_latency_seconds"));
  EXPECT_FALSE(IsValidPrometheusLabelName("a:b"));
}

}  // namespace
}  // namespace inferscope
