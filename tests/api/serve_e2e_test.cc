// End-to-end tests of `inferscope serve`: the real binary on 127.0.0.1, real HTTP, answers
// checked against values computed here from the events the test sent.

#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "core/time_format.h"
#include "ingest/httplib_client.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "support/child_process.h"

namespace inferscope {
namespace {

using inferscope::testing::ChildProcess;
using inferscope::testing::FreeLocalPort;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Server {
 public:
  explicit Server(std::string data_dir, std::vector<std::string> extra = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra)) {}

  bool Start() {
    port_ = FreeLocalPort();
    std::vector<std::string> argv = {INFERSCOPE_BINARY,
                                     "serve",
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--data-dir",
                                     data_dir_,
                                     "--store-retention-age",
                                     "0"};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    if (!process_.Start(argv, data_dir_ + ".log")) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_.running()) return false;
      auto res = Send("GET", "/readyz");
      if (res.status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  HttpResponse Send(const std::string& method, const std::string& path, std::string body = "",
                    std::string content_type = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttplibClient client;
    HttpRequest req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    req.body = std::move(body);
    req.content_type = std::move(content_type);
    req.headers = std::move(headers);
    req.timeout = std::chrono::seconds(30);
    auto res = client.Send(req);
    return res.ok() ? *res : HttpResponse{};
  }

  ChildProcess& process() { return process_; }
  std::string log() const { return ReadFile(data_dir_ + ".log"); }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  ChildProcess process_;
  int port_ = 0;
};

std::string TempDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/serve_e2e_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

struct SentEvent {
  std::string id;
  std::string model;
  TimestampNs ts;
  double latency;
  double ttft;  // every third event has none
  double cost;
  bool error;
};

std::string ToJsonLine(const SentEvent& e) {
  char ttft[64] = "";
  if (!std::isnan(e.ttft)) std::snprintf(ttft, sizeof(ttft), "\"ttft_ms\":%.3f,", e.ttft);
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "{\"timestamp\":\"%s\",\"request_id\":\"%s\",\"model\":\"%s\",\"latency_ms\":%.3f,"
                "%s\"status\":\"%s\",\"cost_usd\":%.6f,\"batch_size\":4,\"gpu_util\":70,"
                "\"input_tokens\":100,\"output_tokens\":50,\"region\":\"eu\"}\n",
                FormatIso8601(e.ts, true).c_str(), e.id.c_str(), e.model.c_str(), e.latency, ttft,
                e.error ? "error" : "ok", e.cost);
  return buf;
}

std::vector<SentEvent> MakeEvents(size_t n, TimestampNs now, uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> latency(5.0, 0.6);
  std::vector<SentEvent> out;
  for (size_t i = 0; i < n; ++i) {
    SentEvent e;
    e.id = "req-" + std::to_string(seed) + "-" + std::to_string(i);
    e.model = i % 3 == 0 ? "mistral-7b" : "llama-3-8b";
    e.ts = now - 50 * kNanosPerMinute + static_cast<int64_t>(i) * (45 * kNanosPerMinute / n);
    e.latency = std::round(latency(rng) * 1000) / 1000;
    e.ttft = i % 3 == 2 ? std::nan("") : std::round(latency(rng) * 100) / 1000;
    e.cost = 0.001 * static_cast<double>(i % 7);
    e.error = i % 25 == 0;
    out.push_back(e);
  }
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

double ExactQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  // DDSketch's rank convention: the value at rank floor(q * (n - 1)).
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

// One field of a model's events, skipping events that lack it (NaN).
std::vector<double> ModelValues(const std::vector<SentEvent>& events, std::string_view model,
                                double SentEvent::*field) {
  std::vector<double> out;
  for (const SentEvent& e : events) {
    if (e.model == model && !std::isnan(e.*field)) out.push_back(e.*field);
  }
  return out;
}

TEST(ServeE2eTest, IngestsJsonLinesAndAnswersTheApiWithIndependentlyComputedValues) {
  std::string dir = TempDir("api");
  Server server(dir);
  ASSERT_TRUE(server.Start()) << server.log();
  TimestampNs now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  std::vector<SentEvent> events = MakeEvents(3000, now, 1);
  std::string body;
  for (const SentEvent& e : events) body += ToJsonLine(e);
  body += "{\"timestamp\":\"not a time\",\"model\":\"x\",\"latency_ms\":1}\n";  // line 3001
  HttpResponse res = server.Send("POST", "/v1/events", body, "application/x-ndjson");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::parser parser;
  simdjson::dom::element answer = parser.parse(res.body);
  EXPECT_EQ(uint64_t(answer["accepted"]), 3000u);
  EXPECT_EQ(uint64_t(answer["rejected"]), 1u);
  EXPECT_EQ(uint64_t(answer["errors"].at(0)["line"]), 3001u);

  // Summary over the last hour: counts and sums exact, percentiles within the sketch's 0.5%.
  res = server.Send("GET", "/api/v1/summary?window=1h");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element summary = parser.parse(res.body);
  uint64_t errors = 0;
  double cost = 0;
  std::vector<double> latencies;
  for (const SentEvent& e : events) {
    errors += e.error ? 1 : 0;
    cost += e.cost;
    latencies.push_back(e.latency);
  }
  EXPECT_EQ(uint64_t(summary["requests"]), 3000u);
  EXPECT_EQ(uint64_t(summary["errors"]), errors);
  EXPECT_EQ(uint64_t(summary["models"]), 2u);
  EXPECT_NEAR(double(summary["cost_usd"]), cost, 1e-9);
  for (auto [key, q] : {std::pair{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}}) {
    double exact = ExactQuantile(latencies, q);
    EXPECT_NEAR(double(summary["latency_ms"][key]), exact, exact * 0.011) << key;
  }

  // Percentiles per model.
  res = server.Send("GET", "/api/v1/percentiles?window=1h&q=0.5,0.99&group_by=model");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element percentiles = parser.parse(res.body);
  size_t groups = 0;
  for (simdjson::dom::element g : percentiles["groups"].get_array()) {
    std::string_view model = g["labels"]["model"];
    const std::vector<double> mine = ModelValues(events, model, &SentEvent::latency);
    EXPECT_EQ(uint64_t(g["count"]), mine.size());
    double p99 = ExactQuantile(mine, 0.99);
    EXPECT_NEAR(double(g["values"]["p99"]), p99, p99 * 0.011) << model;
    ++groups;
  }
  EXPECT_EQ(groups, 2u);

  // Trends: requests per 10 minutes, fleet-wide, sum to the total.
  res = server.Send("GET", "/api/v1/trends?metric=requests&window=1h&interval=10m");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element trends = parser.parse(res.body);
  double total = 0;
  for (simdjson::dom::element p : trends["series"].at(0)["points"].get_array()) {
    total += double(p.at(1));
  }
  EXPECT_EQ(total, 3000.0);

  // A percentile trend (computed by the store from the rollup cells): one 2-hour point
  // per model over the hour, each the model's p99 within the sketch's accuracy.
  res = server.Send("GET",
                    "/api/v1/trends?metric=latency_p99_ms&window=1h&interval=120m"
                    "&group_by=model");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element p99_trend = parser.parse(res.body);
  size_t p99_series = 0;
  for (simdjson::dom::element series : p99_trend["series"].get_array()) {
    std::string_view model = series["labels"]["model"];
    const std::vector<double> mine = ModelValues(events, model, &SentEvent::latency);
    simdjson::dom::array points = series["points"];
    ASSERT_EQ(points.size(), 1u) << model;
    const double exact = ExactQuantile(mine, 0.99);
    EXPECT_NEAR(double(points.at(0).at(1)), exact, exact * 0.011) << model;
    ++p99_series;
  }
  EXPECT_EQ(p99_series, 2u);

  // TTFT percentiles per model (only the events that carried one), and as a trend.
  res = server.Send("GET", "/api/v1/percentiles?window=1h&metric=ttft_ms&q=0.95&group_by=model");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element ttft = parser.parse(res.body);
  EXPECT_EQ(std::string_view(ttft["metric"]), "ttft_ms");
  res = server.Send("GET",
                    "/api/v1/trends?metric=ttft_p95_ms&window=1h&interval=120m"
                    "&group_by=model");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::parser trend_parser;  // `ttft` stays valid only while `parser` is not reused
  simdjson::dom::element ttft_trend = trend_parser.parse(res.body);
  size_t ttft_groups = 0;
  for (simdjson::dom::element g : ttft["groups"].get_array()) {
    std::string_view model = g["labels"]["model"];
    const std::vector<double> mine = ModelValues(events, model, &SentEvent::ttft);
    EXPECT_EQ(uint64_t(g["count"]), mine.size()) << model;
    const double exact = ExactQuantile(mine, 0.95);
    EXPECT_NEAR(double(g["values"]["p95"]), exact, exact * 0.011) << model;
    for (simdjson::dom::element series : ttft_trend["series"].get_array()) {
      if (std::string_view(series["labels"]["model"]) != model) continue;
      EXPECT_NEAR(double(series["points"].at(0).at(1)), exact, exact * 0.011) << model;
      ++ttft_groups;
    }
  }
  EXPECT_EQ(ttft_groups, 2u);

  // Models, busiest first.
  res = server.Send("GET", "/api/v1/models?window=1h");
  simdjson::dom::element models = parser.parse(res.body);
  EXPECT_EQ(std::string_view(models["models"].at(0)["model"]), "llama-3-8b");
  EXPECT_EQ(uint64_t(models["models"].at(0)["requests"]), 2000u);

  // Events search: errors of one model, paginated; CSV export.
  std::set<std::string> found;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    std::string path = "/api/v1/events?status=error&model=mistral-7b&limit=7";
    if (!cursor.empty()) path += "&cursor=" + cursor;
    res = server.Send("GET", path);
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::element page_json = parser.parse(res.body);
    for (simdjson::dom::element e : page_json["events"].get_array()) {
      EXPECT_EQ(std::string_view(e["status"]), "error");
      EXPECT_EQ(std::string_view(e["attributes"]["region"]), "eu");
      found.insert(std::string(std::string_view(e["request_id"])));
    }
    if (page_json["next_cursor"].is_null()) break;
    cursor = std::string(std::string_view(page_json["next_cursor"]));
  }
  std::set<std::string> expected;
  for (const SentEvent& e : events) {
    if (e.error && e.model == "mistral-7b") expected.insert(e.id);
  }
  EXPECT_EQ(found, expected);
  res = server.Send("GET", "/api/v1/events?min_latency_ms=1000&format=csv&limit=10000");
  ASSERT_EQ(res.status, 200);
  size_t slow = std::count_if(events.begin(), events.end(),
                              [](const SentEvent& e) { return e.latency >= 1000; });
  EXPECT_EQ(static_cast<size_t>(std::count(res.body.begin(), res.body.end(), '\n')), slow + 1);

  // A gzip body is decoded by the server (with its own bound, not cpp-httplib's).
  std::vector<SentEvent> zipped = MakeEvents(10, now, 2);
  std::string zipped_body;
  for (SentEvent& e : zipped) {
    e.model = "gzip-model";
    zipped_body += ToJsonLine(e);
  }
  res = server.Send("POST", "/v1/events", Gzip(zipped_body), "application/x-ndjson",
                    {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(uint64_t(parser.parse(res.body)["accepted"]), 10u);
  res = server.Send("GET", "/api/v1/summary?window=1h&model=gzip-model");
  EXPECT_EQ(uint64_t(parser.parse(res.body)["requests"]), 10u) << res.body;

  // /metrics passes promtool and counts what was ingested.
  res = server.Send("GET", "/metrics");
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("inferscope_ingested_records_total{endpoint=\"events\"} 3010"),
            std::string::npos);
  std::string metrics_path = dir + "-metrics.txt";
  std::ofstream(metrics_path) << res.body;
  EXPECT_EQ(std::system(("promtool check metrics < " + metrics_path + " >/dev/null 2>&1").c_str()),
            0)
      << res.body.substr(0, 2000);

  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
}

// Per-user trends: the busiest users by the metric's total, the rest as "(other)", values
// computed here; the same answers after a restart (from the segments' per-user rollups).
TEST(ServeE2eTest, TrendsGroupedByUserRankUsersAndMergeTheRestIntoOther) {
  std::string dir = TempDir("users");
  const TimestampNs t0 = 1'767'571'200 * kNanosPerSecond;  // 2026-01-05T00:00:00Z
  struct UserEvent {
    TimestampNs ts;
    std::string model, user;
    double cost;
    bool error;
  };
  std::mt19937 rng(17);
  std::geometric_distribution<int> user_rank(0.3);
  std::vector<UserEvent> events;
  std::string body;
  for (int i = 0; i < 3000; ++i) {
    UserEvent e{t0 + static_cast<TimestampNs>(rng() % (6 * 3600)) * kNanosPerSecond,
                i % 3 ? "llama" : "gpt", "user-" + std::to_string(std::min(user_rank(rng), 11)),
                0.001 * static_cast<double>(1 + rng() % 100), rng() % 7 == 0};
    char line[256];
    std::snprintf(line, sizeof(line),
                  "{\"timestamp\":\"%s\",\"model\":\"%s\",\"user\":\"%s\",\"latency_ms\":50,"
                  "\"cost_usd\":%.3f,\"status\":\"%s\"}\n",
                  FormatIso8601(e.ts, true).c_str(), e.model.c_str(), e.user.c_str(), e.cost,
                  e.error ? "error" : "ok");
    body += line;
    events.push_back(std::move(e));
  }
  // Independently: cost per (user, 2-hour bucket), the ranking by total cost, and error
  // rates per (model, user, hour).
  std::map<std::string, std::map<int, double>> cost;
  std::map<std::string, double> total_cost;
  std::map<std::tuple<std::string, std::string, int>, std::pair<int, int>> errors;
  for (const UserEvent& e : events) {
    cost[e.user][static_cast<int>((e.ts - t0) / (2 * kNanosPerHour))] += e.cost;
    total_cost[e.user] += e.cost;
    auto& [errs, n] = errors[{e.model, e.user, static_cast<int>((e.ts - t0) / kNanosPerHour)}];
    errs += e.error;
    ++n;
  }
  std::vector<std::pair<double, std::string>> ranking;
  for (const auto& [user, c] : total_cost) ranking.emplace_back(c, user);
  std::sort(ranking.rbegin(), ranking.rend());
  const std::string range =
      "&from=" + FormatIso8601(t0) + "&to=" + FormatIso8601(t0 + 6 * kNanosPerHour);

  auto check = [&](Server& server) {
    HttpResponse res = server.Send(
        "GET", "/api/v1/trends?metric=cost_usd&group_by=user&interval=2h&top=3" + range);
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::parser parser;
    simdjson::dom::element trend = parser.parse(res.body);
    EXPECT_EQ(uint64_t(trend["users"]), total_cost.size());
    simdjson::dom::array series = trend["series"];
    ASSERT_EQ(series.size(), 4u) << res.body;
    for (size_t i = 0; i < 4; ++i) {
      simdjson::dom::element s = series.at(i);
      std::string_view user = s["labels"]["user"];
      simdjson::dom::array points = s["points"];
      ASSERT_EQ(points.size(), 3u);
      for (int b = 0; b < 3; ++b) {
        double want = 0;
        if (i < 3) {
          EXPECT_EQ(user, ranking[i].second) << i;
          want = cost[ranking[i].second][b];
        } else {
          EXPECT_EQ(user, "(other)");
          for (size_t r = 3; r < ranking.size(); ++r) want += cost[ranking[r].second][b];
        }
        EXPECT_NEAR(double(points.at(b).at(1)), want, 1e-9) << user << " bucket " << b;
      }
    }
    res = server.Send(
        "GET", "/api/v1/trends?metric=error_rate&group_by=model,user&interval=1h&top=1000" + range);
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::element rates = parser.parse(res.body);
    size_t checked = 0;
    for (simdjson::dom::element s : rates["series"].get_array()) {
      const std::string model{std::string_view(s["labels"]["model"])};
      const std::string user{std::string_view(s["labels"]["user"])};
      int hour = 0;
      for (simdjson::dom::element p : s["points"].get_array()) {
        auto it = errors.find({model, user, hour++});
        if (it == errors.end()) {
          EXPECT_TRUE(p.at(1).is_null()) << model << " " << user;
          continue;
        }
        EXPECT_NEAR(double(p.at(1)), double(it->second.first) / it->second.second, 1e-12);
        ++checked;
      }
    }
    EXPECT_EQ(checked, errors.size());
    // The top 4 (model, user) pairs by requests (error_rate is not count-like), and per model
    // "(other)": the error rate of that model's remaining users, hour by hour.
    std::map<std::pair<std::string, std::string>, int> pair_requests;
    for (const auto& [key, counts] : errors) {
      pair_requests[{std::get<0>(key), std::get<1>(key)}] += counts.second;
    }
    std::vector<std::pair<int, std::pair<std::string, std::string>>> pair_ranking;
    for (const auto& [key, n] : pair_requests) pair_ranking.emplace_back(n, key);
    std::sort(pair_ranking.begin(), pair_ranking.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    res = server.Send(
        "GET", "/api/v1/trends?metric=error_rate&group_by=model,user&interval=1h&top=4" + range);
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::array top4 = parser.parse(res.body)["series"];
    ASSERT_EQ(top4.size(), 6u) << res.body;  // 4 users, then "(other)" for gpt and llama
    for (size_t i = 0; i < 6; ++i) {
      simdjson::dom::element s = top4.at(i);
      const std::string model{std::string_view(s["labels"]["model"])};
      const std::string user{std::string_view(s["labels"]["user"])};
      if (i < 4) {
        EXPECT_EQ(std::pair(model, user), pair_ranking[i].second) << i;
      } else {
        EXPECT_EQ(user, "(other)");
        EXPECT_EQ(model, i == 4 ? "gpt" : "llama");
      }
      for (int hour = 0; hour < 6; ++hour) {
        int errs = 0, n = 0;
        for (size_t r = i < 4 ? i : 4; r < (i < 4 ? i + 1 : pair_ranking.size()); ++r) {
          if (pair_ranking[r].second.first != model) continue;
          auto it = errors.find({model, pair_ranking[r].second.second, hour});
          if (it == errors.end()) continue;
          errs += it->second.first;
          n += it->second.second;
        }
        simdjson::dom::element point = s["points"].at(static_cast<size_t>(hour)).at(1);
        if (n == 0) {
          EXPECT_TRUE(point.is_null()) << model << " " << user << " " << hour;
        } else {
          EXPECT_NEAR(double(point), double(errs) / n, 1e-12)
              << model << " " << user << " " << hour;
        }
      }
    }
  };

  {
    Server server(dir);
    ASSERT_TRUE(server.Start()) << server.log();
    HttpResponse res = server.Send("POST", "/v1/events", body, "application/x-ndjson");
    ASSERT_EQ(res.status, 200) << res.body;
    check(server);  // from the memtable
    // Default interval: hours up to two days, days beyond (the in-memory day tier).
    for (auto [days, want_step] : {std::pair{1, 3600}, {2, 3600}, {3, 86400}}) {
      res = server.Send("GET",
                        "/api/v1/trends?metric=requests&group_by=user&from=" + FormatIso8601(t0) +
                            "&to=" + FormatIso8601(t0 + days * kNanosPerDay));
      ASSERT_EQ(res.status, 200) << res.body;
      simdjson::dom::parser step_parser;
      EXPECT_EQ(int64_t(step_parser.parse(res.body)["interval_seconds"]), want_step) << days;
    }
    for (const char* bad :
         {"/api/v1/trends?metric=latency_p95_ms&group_by=user",
          "/api/v1/trends?metric=requests&group_by=user,task_type",
          "/api/v1/trends?metric=requests&group_by=user&cache_tier=gpu",
          "/api/v1/trends?metric=requests&group_by=user&interval=30m",
          "/api/v1/trends?metric=requests&group_by=user&top=0", "/api/v1/percentiles?group_by=user",
          "/api/v1/summary?group_by=model"}) {
      res = server.Send("GET", bad);
      EXPECT_EQ(res.status, 400) << bad << " " << res.body;
      EXPECT_NE(res.body.find("\"error\""), std::string::npos) << bad;
    }
    EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();  // flushes into segments
  }
  Server server(dir);
  ASSERT_TRUE(server.Start()) << server.log();
  check(server);
  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
}

TEST(ServeE2eTest, OtlpJsonExampleAndTheSameSpansAsProtobufBecomeTheSameEvents) {
  std::string dir = TempDir("otlp");
  Server server(dir);
  ASSERT_TRUE(server.Start()) << server.log();
  std::string example = ReadFile(INFERSCOPE_SOURCE_DIR "/../shared/data/otlp/trace.json");
  ASSERT_FALSE(example.empty());
  HttpResponse res = server.Send("POST", "/v1/traces", example, "application/json");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "{}");

  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  auto* rs = request.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("gateway");
  auto* span = rs->add_scope_spans()->add_spans();
  span->set_trace_id(
      std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  span->set_span_id(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  span->set_name("chat llama");
  span->set_start_time_unix_nano(1544712660000000000ull);
  span->set_end_time_unix_nano(1544712660250000000ull);
  auto* model = span->add_attributes();
  model->set_key("gen_ai.request.model");
  model->mutable_value()->set_string_value("llama-3-8b");
  auto* tokens = span->add_attributes();
  tokens->set_key("gen_ai.usage.input_tokens");
  tokens->mutable_value()->set_int_value(321);
  res = server.Send("POST", "/v1/traces", request.SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("Content-Type"), "application/x-protobuf");

  res = server.Send("GET",
                    "/api/v1/"
                    "events?trace_id=0102030405060708090a0b0c0d0e0f10&from=2018-12-13T00:00:00Z&to="
                    "2018-12-14T00:00:00Z");
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::parser parser;
  simdjson::dom::element page = parser.parse(res.body);
  ASSERT_EQ(page["events"].get_array().size(), 1u) << res.body;
  simdjson::dom::element e = page["events"].at(0);
  EXPECT_EQ(std::string_view(e["model"]), "llama-3-8b");
  EXPECT_EQ(double(e["latency_ms"]), 250.0);
  EXPECT_EQ(double(e["input_tokens"]), 321.0);
  EXPECT_EQ(std::string_view(e["service"]), "gateway");

  res = server.Send("GET",
                    "/api/v1/events?from=2018-12-13T00:00:00Z&to=2018-12-14T00:00:00Z&limit=10");
  simdjson::dom::element all = parser.parse(res.body);
  EXPECT_EQ(all["events"].get_array().size(), 2u) << res.body;
  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
}

TEST(ServeE2eTest, BadInputGets4xxWithTheJsonErrorAndTheServerKeepsServing) {
  std::string dir = TempDir("bad");
  Server server(dir, {"--max-body-bytes", "64KiB"});
  ASSERT_TRUE(server.Start()) << server.log();
  struct Case {
    std::string name, path, body, content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    int status;
  };
  std::string truncated_proto = std::string("\x0a\xff\x01\x0a", 4);
  std::vector<Case> cases = {
      {"invalid json", "/v1/traces", "{\"resourceSpans\": [", "application/json", {}, 400},
      {"wrong types", "/v1/traces", "{\"resourceSpans\": 5}", "application/json", {}, 400},
      {"truncated protobuf", "/v1/traces", truncated_proto, "application/x-protobuf", {}, 400},
      {"wrong content type", "/v1/traces", "{}", "text/html", {}, 415},
      {"wrong content type (events)", "/v1/events", "{}", "image/png", {}, 415},
      {"oversized", "/v1/events", std::string(100 << 10, 'x'), "application/x-ndjson", {}, 413},
      {"bad gzip",
       "/v1/events",
       "not gzip",
       "application/x-ndjson",
       {{"Content-Encoding", "gzip"}},
       400},
      {"unknown encoding",
       "/v1/events",
       "{}",
       "application/x-ndjson",
       {{"Content-Encoding", "br"}},
       415},
      {"invalid utf-8 only line",
       "/v1/events",
       "{\"model\":\"\xff\xfe\",\"latency_ms\":1}\n",
       "application/x-ndjson",
       {},
       400},
      {"bad query parameter", "/api/v1/summary?window=forever", "", "", {}, 400},
      {"unknown metric", "/api/v1/trends?metric=vibes", "", "", {}, 400},
      {"unknown anomaly", "/api/v1/anomalies/nope", "", "", {}, 404},
  };
  simdjson::dom::parser parser;
  for (const Case& c : cases) {
    std::string method = c.body.empty() && c.content_type.empty() ? "GET" : "POST";
    HttpResponse res = server.Send(method, c.path, c.body, c.content_type, c.headers);
    EXPECT_EQ(res.status, c.status) << c.name << ": " << res.body;
    simdjson::dom::element answer;
    ASSERT_EQ(parser.parse(res.body).get(answer), simdjson::SUCCESS) << c.name << ": " << res.body;
    std::string_view code;
    EXPECT_EQ(answer["error"]["code"].get(code), simdjson::SUCCESS) << c.name << ": " << res.body;
    std::string_view message;
    EXPECT_EQ(answer["error"]["message"].get(message), simdjson::SUCCESS) << c.name;
    EXPECT_FALSE(message.empty()) << c.name;
    ASSERT_EQ(server.Send("GET", "/healthz").status, 200) << "server died after " << c.name;
  }
  // Unknown fields are kept, not rejected; huge attribute values are refused per span.
  std::string huge(70 << 10, 'a');
  HttpResponse res = server.Send(
      "POST", "/v1/traces",
      "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
      "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"a\","
      "\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"futureField\":{\"x\":1}}]}]}]}",
      "application/json");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
}

// Streams batches, records each acknowledged one, SIGKILLs the server at a random moment,
// restarts it and checks every acknowledged event is there exactly once. Several rounds.
TEST(ServeE2eTest, AcknowledgedEventsSurviveSigkillExactlyOnce) {
  std::string dir = TempDir("crash");
  std::mt19937 rng(7);
  std::set<std::string> acknowledged;
  TimestampNs now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  int batch_no = 0;
  for (int round = 0; round < 4; ++round) {
    Server server(dir);
    ASSERT_TRUE(server.Start()) << server.log();
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::thread client([&] {
      while (!stop) {
        std::string body;
        std::vector<std::string> ids;
        for (int i = 0; i < 200; ++i) {
          SentEvent e{"crash-" + std::to_string(batch_no) + "-" + std::to_string(i),
                      "m",
                      now - kNanosPerMinute,
                      10.0 + i,
                      std::nan(""),
                      0,
                      false};
          ids.push_back(e.id);
          body += ToJsonLine(e);
        }
        ++batch_no;
        HttpResponse res = server.Send("POST", "/v1/events", body, "application/x-ndjson");
        if (res.status == 200) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.insert(ids.begin(), ids.end());
        }
        if (res.status == 0) break;  // server gone
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 600));
    server.process().Kill(SIGKILL);
    stop = true;
    client.join();
  }
  Server server(dir);
  ASSERT_TRUE(server.Start()) << server.log();
  std::map<std::string, int> seen;
  std::string cursor;
  simdjson::dom::parser parser;
  while (true) {
    std::string path = "/api/v1/events?model=m&limit=10000";
    if (!cursor.empty()) path += "&cursor=" + cursor;
    HttpResponse res = server.Send("GET", path);
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::element page = parser.parse(res.body);
    for (simdjson::dom::element e : page["events"].get_array()) {
      ++seen[std::string(std::string_view(e["request_id"]))];
    }
    if (page["next_cursor"].is_null()) break;
    cursor = std::string(std::string_view(page["next_cursor"]));
  }
  ASSERT_GT(acknowledged.size(), 0u);
  size_t missing = 0;
  for (const std::string& id : acknowledged) missing += seen.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged";
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
}

}  // namespace
}  // namespace inferscope

namespace inferscope {
namespace {

// Live detection end to end: history with a latency spike is ingested, the engine judges it,
// the anomaly is served by the API (list, get, insights, recommendations, delete) and
// delivered to the configured webhook sink: the same alerting as detect/watch.
TEST(ServeE2eTest, LiveAnomaliesAreServedAndAlertedThroughTheConfiguredSink) {
  httplib::Server receiver;
  std::mutex mu;
  std::vector<std::string> alerts;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    alerts.push_back(req.body);
    res.status = 200;
  });
  int hook_port = receiver.bind_to_any_port("127.0.0.1");
  std::thread receiver_thread([&] { receiver.listen_after_bind(); });

  std::string dir = TempDir("alerts");
  std::string config = dir + "-config.yaml";
  std::ofstream(config) << "alerting:\n"
                           "  sinks:\n"
                           "    - name: hook\n"
                           "      type: webhook\n"
                           "      url: http://127.0.0.1:"
                        << hook_port << "/hook\n";
  Server server(dir, {"--config", config});
  ASSERT_TRUE(server.Start()) << server.log();

  TimestampNs now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  TimestampNs start = (now - 4 * kNanosPerHour) / kNanosPerMinute * kNanosPerMinute;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> noise(0.9, 1.1);
  std::string body;
  int minutes = static_cast<int>((now - start) / kNanosPerMinute) - 5;
  for (int m = 0; m < minutes; ++m) {
    bool spike = m >= minutes - 40 && m < minutes - 20;
    for (int i = 0; i < 30; ++i) {
      SentEvent e{"a-" + std::to_string(m) + "-" + std::to_string(i),
                  "llama-3-8b",
                  start + m * kNanosPerMinute + i * 2 * kNanosPerSecond,
                  (spike ? 1200.0 : 120.0) * noise(rng),
                  std::nan(""),
                  0.001,
                  false};
      body += ToJsonLine(e);
    }
  }
  HttpResponse res = server.Send("POST", "/v1/events", body, "application/x-ndjson");
  ASSERT_EQ(res.status, 200) << res.body;

  simdjson::dom::parser parser;
  std::string id;
  for (int attempt = 0; attempt < 100 && id.empty(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    res = server.Send("GET", "/api/v1/anomalies?model=llama-3-8b&metric=latency_p95_ms");
    ASSERT_EQ(res.status, 200) << res.body;
    simdjson::dom::element list = parser.parse(res.body);
    for (simdjson::dom::element a : list["anomalies"].get_array()) {
      if (std::string_view(a["kind"]) == "latency_spike")
        id = std::string(std::string_view(a["id"]));
    }
  }
  ASSERT_FALSE(id.empty()) << server.log();

  res = server.Send("GET", "/api/v1/anomalies/" + id);
  ASSERT_EQ(res.status, 200) << res.body;
  simdjson::dom::element anomaly = parser.parse(res.body);
  EXPECT_EQ(std::string_view(anomaly["model"]), "llama-3-8b");
  EXPECT_EQ(std::string_view(anomaly["state"]), "resolved");
  EXPECT_GT(double(anomaly["observed"]), 5 * double(anomaly["expected"]));
  EXPECT_NE(std::string_view(anomaly["summary"]).find("llama-3-8b"), std::string_view::npos);
  // Its incident lists it, and only anomalies of that incident.
  const std::string incident{std::string_view(anomaly["incident"])};
  EXPECT_EQ(incident.rfind("i-", 0), 0u) << incident;
  res = server.Send("GET", "/api/v1/anomalies?incident=" + incident);
  ASSERT_EQ(res.status, 200) << res.body;
  bool listed = false;
  for (simdjson::dom::element a : parser.parse(res.body)["anomalies"].get_array()) {
    listed |= std::string_view(a["id"]) == id;
    EXPECT_EQ(std::string_view(a["incident"]), incident);
  }
  EXPECT_TRUE(listed) << res.body;
  res = server.Send("GET", "/api/v1/anomalies?incident=i-0000000000000000");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(parser.parse(res.body)["anomalies"].get_array().size(), 0u);

  res = server.Send("GET", "/api/v1/insights");
  EXPECT_NE(res.body.find(id), std::string::npos) << res.body;

  // The webhook got the firing and the resolved transition, with the shared schema.
  bool firing = false, resolved = false;
  for (int attempt = 0; attempt < 100 && !(firing && resolved); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& a : alerts) {
      simdjson::dom::element alert;
      if (parser.parse(a).get(alert) != simdjson::SUCCESS) continue;
      std::string_view alert_id;
      if (alert["id"].get(alert_id) != simdjson::SUCCESS || alert_id != id) continue;
      std::string_view status = alert["status"];
      firing |= status == "firing";
      resolved |= status == "resolved";
    }
  }
  EXPECT_TRUE(firing) << alerts.size() << " alerts received";
  EXPECT_TRUE(resolved);

  // Resolved anomalies older than 1 hour can be deleted; this one ended ~25 min ago.
  res = server.Send("DELETE", "/api/v1/anomalies?older_than_hours=1");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "{\"deleted\":0}");
  EXPECT_EQ(server.Send("DELETE", "/api/v1/anomalies").status, 400);

  EXPECT_EQ(server.process().Kill(SIGTERM), 0) << server.log();
  receiver.stop();
  receiver_thread.join();
}

}  // namespace
}  // namespace inferscope
