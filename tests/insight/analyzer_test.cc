#include "insight/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "insight/json_report_writer.h"
#include "support/json_near.h"

namespace inferscope {
namespace {

constexpr TimestampNs kT0 = 1'767'225'600LL * kNanosPerSecond;  // 2026-01-01T00:00:00Z

// Owns the strings an Event points at, so tests can build events freely.
struct TestEvent {
  TimestampNs ts = kT0;
  std::string model = "m1";
  std::string request_id = "r";
  std::string user;
  std::string task_type;
  EventStatus status = EventStatus::kOk;
  std::vector<std::pair<EventField, double>> fields;
};

void Feed(Analyzer& a, const TestEvent& t) {
  Event e;
  e.timestamp_ns = t.ts;
  e.model = t.model;
  e.request_id = t.request_id;
  e.user = t.user;
  e.task_type = t.task_type;
  e.status = t.status;
  for (const auto& [f, v] : t.fields) e.Set(f, v);
  a.OnEvent(e);
}

double ExactLowerQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

AnalysisReport FinishReport(Analyzer& a) { return a.Finish(LogReadStats{}, RejectLog{}, 0); }

TEST(AnalyzerTest, SummaryPercentilesMatchExactValuesWithinOnePercent) {
  Analyzer a;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lat(5.5, 0.8);
  std::vector<double> all;
  for (int i = 0; i < 20000; ++i) {
    double v = lat(rng);
    all.push_back(v);
    TestEvent t;
    t.ts = kT0 + i * kNanosPerSecond / 10;
    t.model = i % 4 == 0 ? "big" : "small";
    t.status = i % 50 == 0 ? EventStatus::kError : EventStatus::kOk;
    t.fields = {{EventField::kLatencyMs, v}, {EventField::kCostUsd, 0.001}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  EXPECT_EQ(r.summary.total_requests, 20000u);
  EXPECT_EQ(r.summary.errors, 400u);
  EXPECT_DOUBLE_EQ(r.summary.error_rate, 0.02);
  EXPECT_NEAR(r.summary.cost_usd, 20.0, 1e-9);
  EXPECT_NEAR(r.summary.duration_s, 1999.9, 1e-6);
  for (auto [q, got] : {std::pair{0.5, r.summary.latency_ms.p50},
                        {0.9, r.summary.latency_ms.p90},
                        {0.95, r.summary.latency_ms.p95},
                        {0.99, r.summary.latency_ms.p99}}) {
    double exact = ExactLowerQuantile(all, q);
    EXPECT_LE(std::fabs(got - exact) / exact, 0.01) << "q=" << q;
  }
  EXPECT_DOUBLE_EQ(r.summary.latency_ms.max, *std::max_element(all.begin(), all.end()));
  ASSERT_EQ(r.models.size(), 2u);
  EXPECT_EQ(r.models[0].model, "small");  // more requests first
  EXPECT_EQ(r.models[0].count, 15000u);
  EXPECT_NEAR(r.models[0].share, 0.75, 1e-12);
  EXPECT_EQ(r.models[1].errors, 200u);  // multiples of 100 are the big model's errors
}

TEST(AnalyzerTest, AbsentFieldsStayAbsentInsteadOfZero) {
  Analyzer a;
  TestEvent t;
  t.fields = {{EventField::kLatencyMs, 10}};
  Feed(a, t);
  AnalysisReport r = FinishReport(a);
  EXPECT_TRUE(std::isnan(r.summary.avg_gpu_util));
  EXPECT_TRUE(std::isnan(r.summary.ttft_ms.p50));
  EXPECT_EQ(r.summary.ttft_ms.count, 0u);
  EXPECT_TRUE(std::isnan(r.models[0].cache_hit_rate));
  EXPECT_TRUE(std::isnan(r.summary.throughput_rps));  // a single instant has no rate
}

TEST(AnalyzerTest, TrendsHaveOneContiguousPointPerWindowIncludingEmptyOnes) {
  AnalyzerOptions o;
  o.trend_window_ns = 5 * kNanosPerMinute;
  Analyzer a(o);
  // Requests in minutes 0-4 and 20-24 only: windows 5-19 are empty.
  for (int m : {0, 1, 2, 3, 4, 20, 21, 22, 23, 24}) {
    for (int i = 0; i < 10; ++i) {
      TestEvent t;
      t.ts = kT0 + m * kNanosPerMinute + i * kNanosPerSecond;
      t.fields = {{EventField::kLatencyMs, m < 10 ? 100.0 : 300.0}};
      Feed(a, t);
    }
  }
  AnalysisReport r = FinishReport(a);
  ASSERT_EQ(r.trends.series.size(), 2u);
  EXPECT_EQ(r.trends.series[0].model, "*");
  const auto& pts = r.trends.series[0].points;
  ASSERT_EQ(pts.size(), 5u);
  EXPECT_EQ(pts[0].start_ns, kT0);
  EXPECT_EQ(pts[0].requests, 50u);
  EXPECT_EQ(pts[1].requests, 0u);
  EXPECT_TRUE(std::isnan(pts[1].latency_p95_ms));
  EXPECT_EQ(pts[4].requests, 50u);
  EXPECT_NEAR(pts[4].latency_p95_ms, 300, 3);
}

TEST(AnalyzerTest, AutoWindowKeepsTrendsShort) {
  Analyzer a;
  for (int h = 0; h < 48; ++h) {
    TestEvent t;
    t.ts = kT0 + h * kNanosPerHour;
    t.fields = {{EventField::kLatencyMs, 10}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  EXPECT_EQ(r.trends.window_ns, 15 * kNanosPerMinute);
  EXPECT_LE(r.trends.series[0].points.size(), 241u);
}

TEST(AnalyzerTest, ExtremeRequestsAreListedWithTheirIdsByEveryMethod) {
  Analyzer a;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> lat(100, 10);
  for (int i = 0; i < 5000; ++i) {
    TestEvent t;
    t.ts = kT0 + i * kNanosPerSecond;
    t.request_id = "ok-" + std::to_string(i);
    t.fields = {{EventField::kLatencyMs, std::max(1.0, lat(rng))}};
    Feed(a, t);
  }
  TestEvent slow;
  slow.ts = kT0 + 100 * kNanosPerSecond;
  slow.request_id = "the-slow-one";
  slow.fields = {{EventField::kLatencyMs, 5000}};
  Feed(a, slow);
  AnalysisReport r = FinishReport(a);
  ASSERT_EQ(r.outliers.methods.size(), 3u);
  for (const std::string method : {"zscore", "robust_z", "iqr"}) {
    auto it = std::find_if(r.outliers.worst.begin(), r.outliers.worst.end(),
                           [&](const RequestOutlier& o) { return o.method == method; });
    ASSERT_NE(it, r.outliers.worst.end()) << method;
    EXPECT_EQ(it->request_id, "the-slow-one") << method;  // most extreme first
    EXPECT_EQ(it->timestamp_ns, slow.ts);
    EXPECT_DOUBLE_EQ(it->value, 5000);
    EXPECT_GT(it->score, 10);
  }
  // robust_z (3.5) on a normal(100,10): exact tail count is ~0.05% of 5000 ≈ 2-3, plus ours.
  EXPECT_GE(r.outliers.methods[1].flagged, 1u);
  EXPECT_LE(r.outliers.methods[1].flagged, 15u);
}

TEST(AnalyzerTest, EachRequestIsListedOncePerMethodEvenWithFewRequests) {
  Analyzer a;
  for (int i = 0; i < 20; ++i) {
    TestEvent t;
    t.ts = kT0 + i * kNanosPerSecond;
    t.request_id = "r" + std::to_string(i);
    t.fields = {{EventField::kLatencyMs, i == 7 ? 1000.0 : 100.0 + i}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  std::vector<std::string> seen;
  for (const auto& o : r.outliers.worst) seen.push_back(o.method + "/" + o.request_id);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "robust_z/r7"), seen.end());
}

TEST(AnalyzerTest, FlaggedCountsAgreeWithExactCounts) {
  AnalyzerOptions o;
  Analyzer a(o);
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> lat(4, 0.6);
  std::vector<double> v;
  for (int i = 0; i < 30000; ++i) {
    double x = lat(rng);
    v.push_back(x);
    TestEvent t;
    t.ts = kT0 + i * kNanosPerSecond;
    t.fields = {{EventField::kLatencyMs, x}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  double q1 = ExactLowerQuantile(v, 0.25), q3 = ExactLowerQuantile(v, 0.75);
  double hi = q3 + 1.5 * (q3 - q1), lo = q1 - 1.5 * (q3 - q1);
  uint64_t exact = std::count_if(v.begin(), v.end(), [&](double x) { return x > hi || x < lo; });
  double got = static_cast<double>(r.outliers.methods[2].flagged);
  EXPECT_NEAR(got, static_cast<double>(exact), 0.05 * static_cast<double>(exact) + 5);
}

TEST(AnalyzerTest, MinuteWithTenfoldLatencyIsAnAggregateOutlier) {
  Analyzer a;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> lat(200, 20);
  for (int m = 0; m < 120; ++m) {
    for (int i = 0; i < 30; ++i) {
      TestEvent t;
      t.ts = kT0 + m * kNanosPerMinute + i * 2 * kNanosPerSecond;
      double v = std::max(1.0, lat(rng)) * (m == 90 ? 10 : 1);
      t.fields = {{EventField::kLatencyMs, v}};
      Feed(a, t);
    }
  }
  AnalysisReport r = FinishReport(a);
  ASSERT_FALSE(r.outliers.aggregates.empty());
  const AggregateOutlier& top = r.outliers.aggregates[0];
  EXPECT_EQ(top.metric, "latency_p95_ms");
  EXPECT_EQ(top.bucket_start_ns, kT0 + 90 * kNanosPerMinute);
  EXPECT_GT(top.value, 5 * top.baseline);
  for (const auto& o : r.outliers.aggregates) {
    EXPECT_EQ(o.bucket_start_ns, kT0 + 90 * kNanosPerMinute) << "false positive at " << o.metric;
  }
}

TEST(AnalyzerTest, CorrelationsSeeALinearRelationAndOmitFieldsNeverPresent) {
  Analyzer a;
  for (int i = 0; i < 1000; ++i) {
    TestEvent t;
    t.ts = kT0 + i * kNanosPerSecond;
    double tokens = 10 + i % 97;
    t.fields = {{EventField::kLatencyMs, 5 + 2 * tokens},
                {EventField::kOutputTokens, tokens},
                {EventField::kGpuUtil, static_cast<double>((i * 37) % 101)}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  const auto& c = r.correlations;
  ASSERT_EQ(c.fields, (std::vector<std::string>{"latency_ms", "output_tokens", "gpu_util"}));
  EXPECT_NEAR(c.pearson[0 * 3 + 1], 1.0, 1e-9);
  EXPECT_NEAR(c.spearman[0 * 3 + 1], 1.0, 1e-9);
  EXPECT_LT(std::fabs(c.pearson[0 * 3 + 2]), 0.2);
  EXPECT_EQ(c.pearson_rows, 1000u);
}

TEST(AnalyzerTest, InvestigationNamesTheQueueAndTheUserThatMoved) {
  AnalyzerOptions o;
  o.investigate_from_ns = kT0 + 60 * kNanosPerMinute;
  o.investigate_to_ns = kT0 + 70 * kNanosPerMinute;
  Analyzer a(o);
  for (int s = 0; s < 70 * 60; s += 2) {
    TestEvent t;
    t.ts = kT0 + s * kNanosPerSecond;
    bool spike = s >= 60 * 60;
    t.user = spike && s % 4 == 0 ? "user-hog" : "user-" + std::to_string(s % 7);
    t.fields = {{EventField::kLatencyMs, spike ? 900.0 : 300.0},
                {EventField::kQueueDepth, spike ? 12.0 : 1.0},
                {EventField::kGpuUtil, 70}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  const Investigation& inv = r.investigation;
  ASSERT_TRUE(inv.present);
  EXPECT_EQ(inv.baseline_from_ns, kT0 + 50 * kNanosPerMinute);
  auto metric = [&](const std::string& name) {
    return *std::find_if(inv.metrics.begin(), inv.metrics.end(),
                         [&](const auto& m) { return m.name == name; });
  };
  EXPECT_NEAR(metric("queue_depth").change_pct, 1100, 1e-6);
  EXPECT_NEAR(metric("gpu_util").change_pct, 0, 1e-9);
  EXPECT_NEAR(metric("concurrency").window / metric("concurrency").baseline, 3.0, 1e-6);
  bool mentions_queue = false, mentions_user = false, mentions_gpu = false;
  for (const auto& f : inv.findings) {
    mentions_queue |= f.find("queue_depth rose") != std::string::npos;
    mentions_user |= f.find("user-hog") != std::string::npos;
    mentions_gpu |= f.find("gpu_util") != std::string::npos;
  }
  EXPECT_TRUE(mentions_queue);
  EXPECT_TRUE(mentions_user);
  EXPECT_FALSE(mentions_gpu);  // it did not move
}

TEST(AnalyzerTest, ManyModelsWithSimilarNamesAreCountedApart) {
  // Names of every length class the lookup compares differently (< 4, 4-7, 8-16, > 16
  // bytes), differing only in the middle, the start or the end, and more models than the
  // lookup table's first size.
  std::vector<std::string> names = {"", "a", "ab", "abc", "abcd", "abce", "xbcd", "abcdefg"};
  for (int i = 0; i < 40; ++i) {
    names.push_back("model-" + std::to_string(i));
    names.push_back("a-rather-long-model-name-" + std::to_string(i) + "-with-a-tail");
    names.push_back(std::to_string(i) + "-a-rather-long-model-name-with-a-tail");
  }
  names.push_back("a-rather-long-model-Xame-0-with-a-tail");  // differs only in the middle
  Analyzer a;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < names.size(); ++i) {
      for (size_t k = 0; k <= i % 3; ++k) {
        TestEvent t;
        t.ts = kT0 + static_cast<int64_t>(round) * kNanosPerSecond;
        t.model = names[i];
        t.fields = {{EventField::kLatencyMs, 10.0 + static_cast<double>(i)}};
        Feed(a, t);
      }
    }
  }
  AnalysisReport r = FinishReport(a);
  ASSERT_EQ(r.models.size(), names.size());
  for (const ModelSummary& m : r.models) {
    const auto it = std::find(names.begin(), names.end(), m.model);
    ASSERT_NE(it, names.end()) << m.model;
    const auto i = static_cast<size_t>(it - names.begin());
    EXPECT_EQ(m.count, 3 * (i % 3 + 1)) << m.model;
    EXPECT_NEAR(m.latency_ms.max, 10.0 + static_cast<double>(i), 1e-9) << m.model;
  }
}

// Six quiet hours of ten users with equal shares, then 20 minutes in which the cost of
// `hog`'s requests (or, with hog empty, everyone's) is multiplied by `factor`.
AnalysisReport CostSpikeReport(const std::string& hog, double factor) {
  Analyzer a;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> noise(0.8, 1.2);
  for (int s = 0; s < 380 * 60; ++s) {
    TestEvent t;
    t.ts = kT0 + s * kNanosPerSecond;
    t.request_id = "r" + std::to_string(s);
    t.user = "user-" + std::to_string(s % 10);
    const bool spike = s >= 360 * 60 && (hog.empty() || t.user == hog);
    const double f = spike ? factor : 1.0;
    t.fields = {{EventField::kLatencyMs, 300 * noise(rng)},
                {EventField::kOutputTokens, 200 * f * noise(rng)},
                {EventField::kCostUsd, 0.001 * f * noise(rng)}};
    Feed(a, t);
  }
  return FinishReport(a);
}

const Anomaly* FindCostSpike(const AnalysisReport& r) {
  for (const Anomaly& an : r.anomalies) {
    if (an.kind == AnomalyKind::kCostSpike && an.model == "m1") return &an;
  }
  return nullptr;
}

TEST(AnalyzerTest, CostSpikeCauseNamesTheUserWhoseCostShareJumped) {
  AnalysisReport r = CostSpikeReport("user-3", 40);
  const Anomaly* an = FindCostSpike(r);
  ASSERT_NE(an, nullptr);
  EXPECT_NE(an->cause.find("user 'user-3' went from"), std::string::npos) << an->cause;
  EXPECT_NE(an->cause.find("of cost"), std::string::npos) << an->cause;
  EXPECT_NE(an->recommendation.find("rate-limit"), std::string::npos) << an->recommendation;
  EXPECT_NE(an->recommendation.find("user-3"), std::string::npos) << an->recommendation;
  // No other user gained share.
  for (int u = 0; u < 10; ++u) {
    if (u == 3) continue;
    EXPECT_EQ(an->cause.find("'user-" + std::to_string(u) + "'"), std::string::npos) << an->cause;
  }
}

TEST(AnalyzerTest, CostSpikeWithUnchangedSharesHasNoCategoricalFinding) {
  AnalysisReport r = CostSpikeReport("", 6);
  const Anomaly* an = FindCostSpike(r);
  ASSERT_NE(an, nullptr);
  EXPECT_EQ(an->cause.find("went from"), std::string::npos) << an->cause;
  EXPECT_EQ(an->cause.find("request mix,"), std::string::npos) << an->cause;
  EXPECT_EQ(an->recommendation.find("single user"), std::string::npos) << an->recommendation;
}

// Six quiet hours of one model serving `chat` (a third of the requests, ~300 ms) and
// `summarize` (~2 s), then 20 minutes in which only chat gets four times slower: still
// faster than summarize, so the model's percentiles hardly move.
AnalysisReport OneTaskDegradesReport(AnalyzerOptions::SeriesBy series_by) {
  AnalyzerOptions o;
  o.series_by = series_by;
  Analyzer a(o);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> noise(0.9, 1.1);
  for (int s = 0; s < 380 * 60; ++s) {
    TestEvent t;
    t.ts = kT0 + s * kNanosPerSecond;
    t.request_id = "r" + std::to_string(s);
    t.task_type = s % 3 == 0 ? "chat" : "summarize";
    const bool degraded = s >= 360 * 60 && t.task_type == "chat";
    const double base = t.task_type == "chat" ? 300 : 2000;
    t.fields = {{EventField::kLatencyMs, base * (degraded ? 4 : 1) * noise(rng)},
                {EventField::kCostUsd, 0.001 * noise(rng)}};
    Feed(a, t);
  }
  return FinishReport(a);
}

TEST(AnalyzerTest, SeriesByTaskTypeFindsTheOneTaskTypeThatDegraded) {
  AnalysisReport r = OneTaskDegradesReport(AnalyzerOptions::SeriesBy::kTaskType);
  ASSERT_TRUE(r.anomalies_checked);
  const Anomaly* chat = nullptr;
  for (const Anomaly& an : r.anomalies) {
    EXPECT_NE(an.model, "m1/task_type=summarize") << an.metric;
    if (an.model == "m1/task_type=chat" && an.kind == AnomalyKind::kLatencySpike) chat = &an;
  }
  ASSERT_NE(chat, nullptr);
  EXPECT_GE(chat->start_ns, kT0 + 360 * kNanosPerMinute);
  EXPECT_LE(chat->start_ns, kT0 + 366 * kNanosPerMinute);
  // The sub-series are not merged into the fleet: the models table and the fleet still
  // count each request once.
  ASSERT_EQ(r.models.size(), 1u);
  EXPECT_EQ(r.summary.total_requests, 380u * 60u);
}

TEST(AnalyzerTest, WithoutSeriesByAnomaliesNameModelsOnly) {
  AnalysisReport r = OneTaskDegradesReport(AnalyzerOptions::SeriesBy::kNone);
  ASSERT_TRUE(r.anomalies_checked);
  for (const Anomaly& an : r.anomalies) {
    EXPECT_EQ(an.model.find('/'), std::string::npos) << an.model;
  }
}

TEST(AnalyzerTest, SeriesByCapsTheValuesPerModelAndGroupsTheRestAsOther) {
  AnalyzerOptions o;
  o.series_by = AnalyzerOptions::SeriesBy::kUser;
  o.detectors = AnalyzerOptions::Detectors::kNaive;  // alerts on any breach: shows series
  Analyzer a(o);
  const size_t users = AnalyzerOptions::kMaxSeriesValuesPerModel + 10;
  for (int s = 0; s < 120 * 60; ++s) {
    TestEvent t;
    t.ts = kT0 + s * kNanosPerSecond;
    t.user = "user-" + std::to_string(static_cast<size_t>(s) % users);
    // Every request of every user fails in the last 20 minutes.
    t.status = s >= 100 * 60 ? EventStatus::kError : EventStatus::kOk;
    t.fields = {{EventField::kLatencyMs, 100}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  std::vector<std::string> subjects;
  for (const Anomaly& an : r.anomalies) subjects.push_back(an.model);
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  // m1, the fleet, at most the cap of user series and the "(other)" series.
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "m1/user=(other)"), subjects.end());
  size_t user_series = 0;
  for (const std::string& s : subjects) user_series += s.rfind("m1/user=", 0) == 0 ? 1 : 0;
  EXPECT_LE(user_series, AnalyzerOptions::kMaxSeriesValuesPerModel + 1);
  EXPECT_GT(user_series, 1u);
}

// Three models in turn, ~3 hours, users that change by the minute (at most 8 a minute, 90
// in all), errors, a latency spike, fields that come and go, latencies with many ties.
std::vector<TestEvent> MultiModelEvents() {
  std::vector<TestEvent> events;
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> ms(20, 60);
  const char* models[] = {"llama", "mistral", "gpt-x"};
  for (int i = 0; i < 3 * 16 * 700; ++i) {
    TestEvent t;
    t.ts = kT0 + i * 350 * kNanosPerMilli;
    const int minute = static_cast<int>((t.ts - kT0) / kNanosPerMinute);
    t.model = models[i % 3];
    t.request_id = "req-" + std::to_string(i);
    t.user = "user-" + std::to_string((minute * 3 + i % 8) % 90);
    t.task_type = i % 5 == 0 ? "chat" : "summarize";
    t.status = i % 97 == 0 ? EventStatus::kError
                           : (i % 389 == 0 ? EventStatus::kTimeout : EventStatus::kOk);
    double latency = ms(rng) * 5.0 + (i % 3) * 100;
    if (minute >= 120 && minute < 130 && i % 3 == 1) latency *= 8;
    t.fields = {{EventField::kLatencyMs, latency},
                {EventField::kInputTokens, static_cast<double>(100 + i % 50)},
                {EventField::kOutputTokens, static_cast<double>(i % 200)},
                {EventField::kCostUsd, 0.0001 * (i % 13)}};
    if (i % 3 != 2) t.fields.push_back({EventField::kTtftMs, latency / 4});
    if (i % 2 == 0) t.fields.push_back({EventField::kGpuUtil, 0.5 + 0.001 * (i % 400)});
    events.push_back(t);
  }
  return events;
}

TEST(AnalyzerTest, MergedPartsGiveTheReportOfOnePass) {
  AnalyzerOptions o;
  // Per-value series are exact when no part meets more than the cap of values
  // (kMaxSeriesValuesPerModel) before a value an earlier part gave a series; the CLI runs
  // one thread with --series-by for that reason.
  o.series_by = AnalyzerOptions::SeriesBy::kTaskType;
  o.detectors = AnalyzerOptions::Detectors::kNaive;  // alerts on any breach: shows series
  o.investigate_from_ns = kT0 + 120 * kNanosPerMinute;
  o.investigate_to_ns = kT0 + 130 * kNanosPerMinute;
  o.top_outliers = 7;
  const std::vector<TestEvent> events = MultiModelEvents();
  Analyzer whole(o);
  for (const TestEvent& t : events) Feed(whole, t);
  const std::string want = JsonReportWriter().Render(FinishReport(whole));

  // Parts of multiples of 48 events: each model's 1-in-16 dimension sample then picks the
  // same events as one pass does, so even the anomaly causes must agree. One part is empty.
  const std::vector<size_t> cuts = {0, 48 * 50, 48 * 50, 48 * 311, 48 * 312, events.size()};
  std::vector<std::unique_ptr<Analyzer>> parts;
  for (size_t p = 0; p + 1 < cuts.size(); ++p) {
    parts.push_back(std::make_unique<Analyzer>(o));
    for (size_t i = cuts[p]; i < cuts[p + 1]; ++i) Feed(*parts.back(), events[i]);
  }
  for (size_t p = 1; p < parts.size(); ++p) parts[0]->Merge(std::move(*parts[p]));
  EXPECT_EQ(parts[0]->events(), events.size());
  const AnalysisReport merged = FinishReport(*parts[0]);
  EXPECT_TRUE(inferscope::testing::JsonNear(JsonReportWriter().Render(merged), want, 1e-9));
  // The report has what the comparison is about.
  EXPECT_EQ(merged.models.size(), 3u);
  EXPECT_FALSE(merged.outliers.worst.empty());
  EXPECT_TRUE(merged.investigation.present);
  EXPECT_FALSE(merged.correlations.fields.empty());
  bool task_series = false;
  for (const Anomaly& an : merged.anomalies) {
    task_series |= an.model.find("/task_type=") != std::string::npos;
  }
  EXPECT_TRUE(task_series);
}

TEST(AnalyzerTest, MergeIntoAnEmptyAnalyzerGivesTheOtherOnesReport) {
  AnalyzerOptions o;
  const std::vector<TestEvent> events = MultiModelEvents();
  Analyzer whole(o), empty(o), copy(o);
  for (const TestEvent& t : events) Feed(whole, t);
  for (const TestEvent& t : events) Feed(copy, t);
  empty.Merge(std::move(copy));
  EXPECT_TRUE(inferscope::testing::JsonNear(JsonReportWriter().Render(FinishReport(empty)),
                                            JsonReportWriter().Render(FinishReport(whole)), 0));
}

TEST(AnalyzerTest, MemoryStaysBoundedWhenTimestampsSpreadOverYears) {
  AnalyzerOptions o;
  Analyzer a(o);
  // One event per 6 hours over 200 years: 292k distinct minutes would exceed the rollup cap.
  for (int64_t i = 0; i < 292'000; ++i) {
    TestEvent t;
    t.ts = i * 6 * kNanosPerHour;
    t.fields = {{EventField::kLatencyMs, 1}};
    Feed(a, t);
  }
  AnalysisReport r = FinishReport(a);
  EXPECT_EQ(r.summary.total_requests, 292'000u);
  EXPECT_LE(r.trends.series[0].points.size(), 241u);
}

}  // namespace
}  // namespace inferscope
