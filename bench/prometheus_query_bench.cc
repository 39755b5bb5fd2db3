// Pulling a day of 1-minute data for 10,000 series from a local Prometheus 2.42: the query
// half of `inferscope detect --prometheus` (issue #5). The benchmark starts
// /usr/bin/prometheus on 127.0.0.1 (stopped by PID at exit), loads 10,000 series x 1,440
// points through RemoteWriteClient (time-ordered requests; the load rate is printed), then
// measures query_range + parse of all series in 10 shard queries of 1,000 series each,
// reporting series/s and how the time splits between HTTP (Prometheus evaluating and
// sending) and our parser.
//
//   build-rel/bin/prometheus_query_bench --benchmark_min_time=1

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "../tests/support/child_process.h"
#include "ingest/httplib_client.h"
#include "ingest/prometheus/prometheus_client.h"
#include "ingest/prometheus/remote_write_client.h"

namespace inferscope {
namespace {

constexpr int kSeries = 10'000;
constexpr int kShards = 10;
constexpr int kPoints = 1'440;

struct LocalPrometheus {
  std::string dir;
  int port = 0;
  testing::ChildProcess process;
  TimestampNs first = 0;  // first sample
  TimestampNs last = 0;   // last sample
  std::string error;

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port); }

  LocalPrometheus() {
    if (::access("/usr/bin/prometheus", X_OK) != 0) {
      error = "/usr/bin/prometheus is not installed: run scripts/install-deps.sh";
      return;
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / "inferscope-prom-bench-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    std::ofstream(dir + "/prometheus.yml") << "scrape_configs: []\n";
    port = testing::FreeLocalPort();
    process.Start({"/usr/bin/prometheus", "--config.file=" + dir + "/prometheus.yml",
                   "--storage.tsdb.path=" + dir + "/data",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port),
                   "--web.enable-remote-write-receiver"},
                  dir + "/prometheus.log");
    HttplibClient http;
    bool ready = false;
    for (int i = 0; i < 300 && !ready; ++i) {
      HttpRequest request;
      request.url = BaseUrl() + "/-/ready";
      auto response = http.Send(request);
      ready = response.ok() && response->status == 200;
      if (!ready) ::usleep(100'000);
    }
    if (!ready) {
      error = "Prometheus did not become ready (log in " + dir + ")";
      return;
    }
    Load(http);
  }

  ~LocalPrometheus() {
    process.Kill(SIGTERM);
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }

  void Load(HttpClient& http) {
    TimestampNs now = SystemClock::Instance().Now();
    last = now / kNanosPerMinute * kNanosPerMinute - 2 * kNanosPerMinute;
    first = last - (kPoints - 1) * kNanosPerMinute;
    std::vector<PrometheusSeries> series(kSeries);
    for (int s = 0; s < kSeries; ++s) {
      series[s].key =
          SeriesKey("inferscope_bench_latency_ms", {{"series", std::to_string(s)},
                                                    {"shard", std::to_string(s % kShards)},
                                                    {"job", "bench"}});
      series[s].samples.reserve(kPoints);
      for (int i = 0; i < kPoints; ++i) {
        double v = 100 + 20 * std::sin(i * 0.01 + s) + (i * 7919 + s * 104729) % 13;
        series[s].samples.push_back({first + i * kNanosPerMinute, v});
      }
    }
    RemoteWriteOptions options;
    options.url = BaseUrl() + "/api/v1/write";
    options.max_samples_per_request = 50'000;
    RemoteWriteClient writer(http, options);
    auto t0 = std::chrono::steady_clock::now();
    auto stats = writer.Write(series);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!stats.ok()) {
      error = "remote_write failed: " + stats.status().ToString();
      return;
    }
    std::fprintf(stderr,
                 "loaded %lld samples of %d series in %.1f s (%.0f samples/s, %d requests, "
                 "%.1f MB snappy)\n",
                 static_cast<long long>(stats->samples_sent), kSeries, secs,
                 static_cast<double>(stats->samples_sent) / secs, stats->requests,
                 static_cast<double>(stats->bytes_sent) / 1e6);
  }
};

LocalPrometheus& Server() {
  static LocalPrometheus server;
  return server;
}

void BM_PrometheusQueryRangeDay(benchmark::State& state) {
  LocalPrometheus& server = Server();
  if (!server.error.empty()) {
    state.SkipWithError(server.error.c_str());
    return;
  }
  HttplibClient http;
  PrometheusClientOptions options;
  options.base_url = server.BaseUrl();
  options.timeout = std::chrono::milliseconds(120'000);
  PrometheusClient client(http, options);
  int64_t http_ns = 0, parse_ns = 0, bytes = 0, series = 0, samples = 0;
  for (auto _ : state) {
    for (int shard = 0; shard < kShards; ++shard) {
      auto response =
          client.QueryRange("inferscope_bench_latency_ms{shard=\"" + std::to_string(shard) + "\"}",
                            server.first, server.last, kNanosPerMinute);
      if (!response.ok()) {
        state.SkipWithError(response.status().ToString().c_str());
        return;
      }
      http_ns += response->stats.http_ns;
      parse_ns += response->stats.parse_ns;
      bytes += response->stats.response_bytes;
      series += static_cast<int64_t>(response->result.series.size());
      for (const auto& s : response->result.series)
        samples += static_cast<int64_t>(s.samples.size());
    }
  }
  if (series != static_cast<int64_t>(state.iterations()) * kSeries || samples != series * kPoints) {
    state.SkipWithError("wrong number of series or samples");
    return;
  }
  state.SetBytesProcessed(bytes);
  state.counters["series/s"] =
      benchmark::Counter(static_cast<double>(series), benchmark::Counter::kIsRate);
  const double total = static_cast<double>(http_ns + parse_ns);
  state.counters["http_share"] = static_cast<double>(http_ns) / total;
  state.counters["parse_share"] = static_cast<double>(parse_ns) / total;
  state.counters["parse_MB/s"] =
      static_cast<double>(bytes) / 1e6 / (static_cast<double>(parse_ns) / 1e9);
}
BENCHMARK(BM_PrometheusQueryRangeDay)->Unit(benchmark::kMillisecond)->UseRealTime();

// The parser alone on one shard's answer (1,000 series x 1,441 points, fetched once), in CPU
// time: what inferscope spends per byte independent of the server and the machine's load.
void BM_ParseQueryRangeAnswer(benchmark::State& state) {
  LocalPrometheus& server = Server();
  if (!server.error.empty()) {
    state.SkipWithError(server.error.c_str());
    return;
  }
  HttplibClient http;
  HttpRequest request;
  request.url = server.BaseUrl() +
                "/api/v1/query_range?query=inferscope_bench_latency_ms%7Bshard%3D%220%22%7D" +
                "&start=" + FormatPrometheusSeconds(server.first) +
                "&end=" + FormatPrometheusSeconds(server.last) + "&step=60";
  request.timeout = std::chrono::milliseconds(120'000);
  auto response = http.Send(request);
  if (!response.ok() || response->status != 200) {
    state.SkipWithError("query failed");
    return;
  }
  PrometheusResponseParser parser;
  int64_t points = 0;
  for (auto _ : state) {
    auto result = parser.Parse(response->body);
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      return;
    }
    for (const auto& s : result->series) points += static_cast<int64_t>(s.samples.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(response->body.size()));
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseQueryRangeAnswer)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inferscope
