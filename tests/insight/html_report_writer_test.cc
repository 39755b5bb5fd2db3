#include "insight/html_report_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/time_format.h"
#include "sample_report.h"

namespace inferscope {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
const TimestampNs kStart = DaysFromCivil(2024, 5, 1) * kNanosPerDay + 12 * kNanosPerHour;

std::string GoldenPath() {
  return std::string(INFERSCOPE_SOURCE_DIR) + "/tests/data/golden/report_small.html";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// True when every element is closed in order. <meta> is the only void element the writer
// uses; <style> content is skipped.
bool TagsBalanced(const std::string& html) {
  std::vector<std::string> stack;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    const size_t end = html.find('>', pos);
    if (end == std::string::npos) return false;
    const std::string tag = html.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty() || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;
    const std::string name = tag.substr(0, tag.find_first_of(" \n"));
    if (name == "meta") continue;
    if (name == "style") {
      pos = html.find("</style>", pos);
      if (pos == std::string::npos) return false;
      pos += 8;
      continue;
    }
    stack.push_back(name);
  }
  return stack.empty();
}

Distribution Dist(uint64_t count, double p50) {
  Distribution d;
  d.count = count;
  d.avg = p50 * 1.1;
  d.min = p50 * 0.2;
  d.p50 = p50;
  d.p90 = p50 * 1.8;
  d.p95 = p50 * 2.2;
  d.p99 = p50 * 3.5;
  d.max = p50 * 6;
  return d;
}

TrendPoint Point(int minute, uint64_t requests, uint64_t errors, double p50, double cost) {
  TrendPoint p;
  p.start_ns = kStart + minute * kNanosPerMinute;
  p.requests = requests;
  p.errors = errors;
  if (requests > 0) {
    p.error_rate = static_cast<double>(errors) / static_cast<double>(requests);
    p.latency_mean_ms = p50 * 1.1;
    p.latency_p50_ms = p50;
    p.latency_p95_ms = p50 * 2.2;
    p.latency_p99_ms = p50 * 3.5;
  }
  p.cost_usd = cost;
  p.tokens = static_cast<double>(requests) * 700;
  return p;
}

// Two models, ten one-minute windows (one empty), outliers, a 3x3 correlation with a NaN and
// an investigation of the spike at minutes 6-7.
AnalysisReport SmallReport() {
  AnalysisReport r;
  r.tool_version = "0.1.0";
  r.input.sources = {"logs/day1.jsonl.gz", "logs/day2.jsonl"};
  r.input.bytes = 1'234'567;
  r.input.lines = 1'212;
  r.input.accepted = 1'200;
  r.input.rejected = 12;
  r.input.first_rejects = {{"logs/day1.jsonl.gz", 17, "invalid JSON: unexpected end"},
                           {"logs/day2.jsonl", 3, "field latency_ms: expected a number"}};

  Summary& s = r.summary;
  s.total_requests = 1'200;
  s.start_ns = kStart;
  s.end_ns = kStart + 10 * kNanosPerMinute - kNanosPerSecond;
  s.duration_s = 599;
  s.throughput_rps = 1200.0 / 599;
  s.errors = 30;
  s.timeouts = 6;
  s.error_rate = 0.025;
  s.latency_ms = Dist(1'200, 412.5);
  s.ttft_ms = Dist(1'100, 88.25);
  s.input_tokens = 512'000;
  s.output_tokens = 331'000;
  s.cost_usd = 4.5678;
  s.avg_batch_size = 6.5;
  s.avg_gpu_util = 71.2;

  ModelSummary a;
  a.model = "llama-3-8b";
  a.count = 800;
  a.share = 800.0 / 1200;
  a.errors = 12;
  a.timeouts = 2;
  a.error_rate = 0.015;
  a.requests_per_s = 800.0 / 599;
  a.latency_ms = Dist(800, 320);
  a.ttft_ms = Dist(800, 70);
  a.input_tokens = 300'000;
  a.output_tokens = 200'000;
  a.cost_usd = 1.25;
  a.cost_per_1k_requests = 1.5625;
  a.avg_batch_size = 8;
  a.avg_batch_fill_ratio = 0.5;
  a.avg_gpu_util = 68;
  a.avg_queue_depth = 3.25;
  a.cache_hit_rate = 0.31;
  ModelSummary b;
  b.model = "mixtral-8x7b";
  b.count = 400;
  b.share = 400.0 / 1200;
  b.errors = 18;
  b.timeouts = 4;
  b.error_rate = 0.045;
  b.requests_per_s = 400.0 / 599;
  b.latency_ms = Dist(400, 610);
  b.ttft_ms = Dist(300, 120);
  b.input_tokens = 212'000;
  b.output_tokens = 131'000;
  b.cost_usd = 3.3178;
  b.cost_per_1k_requests = 8.2945;
  r.models = {a, b};

  r.trends.window_ns = kNanosPerMinute;
  TrendSeries all{"*", {}}, sa{"llama-3-8b", {}}, sb{"mixtral-8x7b", {}};
  const uint64_t reqs_a[] = {80, 82, 79, 85, 0, 81, 120, 118, 80, 75};
  const uint64_t reqs_b[] = {40, 38, 41, 44, 0, 39, 60, 58, 40, 40};
  for (int m = 0; m < 10; ++m) {
    const bool spike = m == 6 || m == 7;
    const uint64_t ea = spike ? 3 : 1, eb = spike ? 5 : 1;
    const double pa = spike ? 700 : 300 + m * 4, pb = spike ? 1300 : 580 + m * 3;
    const TrendPoint ta = Point(m, reqs_a[m], reqs_a[m] ? ea : 0, pa, reqs_a[m] * 0.0015);
    const TrendPoint tb = Point(m, reqs_b[m], reqs_b[m] ? eb : 0, pb, reqs_b[m] * 0.0083);
    sa.points.push_back(ta);
    sb.points.push_back(tb);
    TrendPoint t = Point(m, ta.requests + tb.requests, ta.errors + tb.errors, (pa * 2 + pb) / 3,
                         ta.cost_usd + tb.cost_usd);
    all.points.push_back(t);
  }
  r.trends.series = {all, sa, sb};

  r.outliers.methods = {{"robust_z", 3.5, 14}, {"iqr", 1.5, 22}};
  r.outliers.worst = {
      {"robust_z", "mixtral-8x7b", "req-7f3a", kStart + 6 * kNanosPerMinute + 12 * kNanosPerSecond,
       "latency_ms", 9'850.5, 610, 41.7},
      {"robust_z", "llama-3-8b", "req-19c2", kStart + 7 * kNanosPerMinute + 40 * kNanosPerSecond,
       "latency_ms", 4'120, 320, 22.9},
      {"iqr", "llama-3-8b", "req-0b11", kStart + 2 * kNanosPerMinute + 5 * kNanosPerSecond,
       "latency_ms", 2'015.25, 320, 6.1},
  };
  r.outliers.aggregates = {
      {"mixtral-8x7b", kStart + 6 * kNanosPerMinute, "latency_p95_ms", 2'860, 1'290, 8.4},
      {"*", kStart + 7 * kNanosPerMinute, "error_rate", 0.0449, 0.0083, 5.2},
  };

  r.correlations.fields = {"latency_ms", "output_tokens", "gpu_util"};
  r.correlations.pearson = {1, 0.82, kNan, 0.82, 1, kNan, kNan, kNan, 1};
  r.correlations.spearman = {1, 0.77, -0.12, 0.77, 1, -0.05, -0.12, -0.05, 1};
  r.correlations.pearson_rows = 1'200;
  r.correlations.spearman_rows = 1'000;

  Investigation& inv = r.investigation;
  inv.present = true;
  inv.from_ns = kStart + 6 * kNanosPerMinute;
  inv.to_ns = kStart + 8 * kNanosPerMinute;
  inv.baseline_from_ns = kStart + 4 * kNanosPerMinute;
  inv.baseline_to_ns = kStart + 6 * kNanosPerMinute;
  inv.model = "*";
  inv.metrics = {{"requests_per_s", 1.0, 2.97, 197},
                 {"latency_p95_ms", 1'290, 2'860, 121.7},
                 {"error_rate", 0.0083, 0.0449, 441},
                 {"gpu_util", kNan, 93, kNan}};
  inv.findings = {"Request rate tripled (+197%) while batch size stayed flat.",
                  "p95 latency rose 122% & errors grew 5x on mixtral-8x7b."};
  return r;
}

TEST(HtmlReportWriterTest, MatchesGoldenFile) {
  const std::string html = HtmlReportWriter().Render(SmallReport());
  const char* update = std::getenv("INFERSCOPE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    ASSERT_TRUE(WriteHtmlReport(SmallReport(), GoldenPath()).ok());
    GTEST_SKIP() << "rewrote " << GoldenPath();
  }
  const std::string golden = ReadFile(GoldenPath());
  ASSERT_FALSE(golden.empty()) << "missing " << GoldenPath()
                               << "; run with INFERSCOPE_UPDATE_GOLDEN=1 to create it";
  EXPECT_TRUE(html == golden) << "output differs from " << GoldenPath()
                              << "; if intended, rerun with INFERSCOPE_UPDATE_GOLDEN=1";
}

TEST(HtmlReportWriterTest, RendersTheSameBytesEveryTime) {
  EXPECT_EQ(HtmlReportWriter().Render(SmallReport()), HtmlReportWriter().Render(SmallReport()));
}

TEST(HtmlReportWriterTest, HasEverySectionHeadingInOrder) {
  const std::string html = HtmlReportWriter().Render(SmallReport());
  const std::vector<std::string> headings = {
      "<h1>inferscope analysis</h1>",
      "<h2>Latency percentiles over time</h2>",
      "<h2>Requests and error rate over time</h2>",
      "<h2>Per-model comparison</h2>",
      "<h2>Cost over time</h2>",
      "<h2>Correlations</h2>",
      "<h2>Tables</h2>",
      "<h3>Summary</h3>",
      "<h3>Model comparison</h3>",
      "<h3>Worst request outliers</h3>",
      "<h3>Aggregate outliers</h3>",
      "<h3>Spike investigation</h3>",
  };
  size_t last = 0;
  for (const std::string& h : headings) {
    const size_t at = html.find(h);
    ASSERT_NE(at, std::string::npos) << h;
    EXPECT_GT(at, last) << h << " is out of order";
    last = at;
  }
}

TEST(HtmlReportWriterTest, ShowsKeyNumbersSourcesAndRejects) {
  const std::string html = HtmlReportWriter().Render(SmallReport());
  EXPECT_NE(html.find("1,200"), std::string::npos);
  EXPECT_NE(html.find("2.50%"), std::string::npos);
  EXPECT_NE(html.find("412.5 ms"), std::string::npos);
  EXPECT_NE(html.find("$4.57"), std::string::npos);
  EXPECT_NE(html.find("logs/day2.jsonl"), std::string::npos);
  EXPECT_NE(html.find("2024-05-01T12:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("<details>"), std::string::npos);
  EXPECT_NE(html.find("invalid JSON: unexpected end"), std::string::npos);
  EXPECT_NE(html.find("Generated by inferscope 0.1.0"), std::string::npos);
  EXPECT_NE(html.find("req-7f3a"), std::string::npos);
  EXPECT_NE(html.find("+441.0%"), std::string::npos);
  EXPECT_NE(html.find("errors grew 5x"), std::string::npos);
}

TEST(HtmlReportWriterTest, ReferencesNothingOnTheNetwork) {
  const std::string html = HtmlReportWriter().Render(SmallReport());
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  for (size_t p = html.find("href=\""); p != std::string::npos; p = html.find("href=\"", p + 1)) {
    EXPECT_EQ(html[p + 6], '#') << html.substr(p, 40);
  }
}

TEST(HtmlReportWriterTest, EscapesStringsFromTheLogs) {
  AnalysisReport r = SmallReport();
  r.models[0].model = "<script>alert(1)</script>";
  r.trends.series[1].model = r.models[0].model;
  r.outliers.worst[0].model = r.models[0].model;
  r.outliers.worst[0].request_id = "\"><img src=x onerror=alert(2)>";
  r.input.sources[0] = "a&b<c>.jsonl";
  r.input.first_rejects[0].reason = "bad <b>";
  r.investigation.findings[0] = "<iframe>";
  const std::string html = HtmlReportWriter().Render(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b&lt;c&gt;.jsonl"), std::string::npos);
  EXPECT_TRUE(TagsBalanced(html));
}

TEST(HtmlReportWriterTest, EmptyReportSaysThereIsNoData) {
  AnalysisReport r;
  r.tool_version = "0.1.0";
  r.input.sources = {"empty.jsonl"};
  const std::string html = HtmlReportWriter().Render(r);
  EXPECT_NE(html.find("No data"), std::string::npos);
  EXPECT_NE(html.find("<h2>Correlations</h2>"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_TRUE(TagsBalanced(html));
}

TEST(HtmlReportWriterTest, ShowsAbsentValuesAsDashNeverNan) {
  AnalysisReport r = SmallReport();
  r.summary.latency_ms.p95 = kNan;
  r.summary.throughput_rps = kNan;
  r.models[1].latency_ms.p95 = kNan;
  r.trends.series[0].points[3].latency_p99_ms = kNan;
  const std::string html = HtmlReportWriter().Render(r);
  EXPECT_NE(html.find("<div class=\"value\">\xE2\x80\x93</div>"), std::string::npos);
  for (const char* bad : {"nan", "NaN", "inf", "-nan"}) {
    EXPECT_EQ(html.find(std::string(">") + bad + "<"), std::string::npos) << bad;
    EXPECT_EQ(html.find(std::string(bad) + " ms"), std::string::npos) << bad;
    EXPECT_EQ(html.find(std::string(",") + bad), std::string::npos) << bad;
  }
  EXPECT_EQ(html.find("nan"), std::string::npos);
}

TEST(HtmlReportWriterTest, ChartsAreWellFormedSvg) {
  const std::string html = HtmlReportWriter().Render(SmallReport());
  EXPECT_TRUE(TagsBalanced(html));
  // Latency, requests, error rate, four model bars, cost, two heatmaps.
  EXPECT_EQ(CountOf(html, "<svg "), 10u);
  EXPECT_EQ(CountOf(html, "</svg>"), 10u);
  EXPECT_EQ(CountOf(html, "<section"), CountOf(html, "</section>"));
  // Outliers are marked: one aggregate latency outlier, three request outliers.
  EXPECT_NE(html.find("fill=\"#d62728\""), std::string::npos);
  EXPECT_NE(html.find("req-19c2 (llama-3-8b)"), std::string::npos);
}

TEST(HtmlReportWriterTest, TenThousandTrendPointsStayCompact) {
  AnalysisReport r = SmallReport();
  for (TrendSeries& s : r.trends.series) {
    s.points.clear();
    for (int m = 0; m < 10'000; ++m) {
      s.points.push_back(Point(m, 50 + m % 13, m % 7 == 0 ? 1 : 0, 300 + (m * 37 % 101), 0.05));
    }
  }
  const std::string html = HtmlReportWriter().Render(r);
  EXPECT_LT(html.size(), 1'500'000u);
  EXPECT_TRUE(TagsBalanced(html));
  EXPECT_NE(html.find("10,000 windows"), std::string::npos);
  for (size_t p = html.find(" d=\"M"); p != std::string::npos; p = html.find(" d=\"M", p + 1)) {
    const std::string path = html.substr(p, html.find('"', p + 4) - p);
    EXPECT_LE(CountOf(path, "L"), 1'500u);
  }
}

TEST(HtmlReportWriterTest, WriteHtmlReportWritesTheFileOrReportsIoError) {
  const std::string path = testing::TempDir() + "/inferscope_report_test.html";
  ASSERT_TRUE(WriteHtmlReport(SmallReport(), path).ok());
  EXPECT_EQ(ReadFile(path), HtmlReportWriter().Render(SmallReport()));
  std::remove(path.c_str());
  const Status bad = WriteHtmlReport(SmallReport(), "/nonexistent-dir/x/report.html");
  EXPECT_EQ(bad.code(), StatusCode::kIoError);
}

TEST(HtmlReportWriterTest, AnIncidentOfSeveralAnomaliesIsOneBlock) {
  AnalysisReport report = SmallReport();
  SetGroupedAnomalies(report);
  const std::string html = HtmlReportWriter().Render(report);
  EXPECT_NE(html.find("<h2>Anomalies (3 in 2 incidents)</h2>"), std::string::npos);
  const size_t open = html.find("<div class=\"incident\">");
  ASSERT_NE(open, std::string::npos);
  EXPECT_EQ(html.find("<div class=\"incident\">", open + 1), std::string::npos) << "one group";
  const size_t spike = html.find("latency_spike</strong>");
  const size_t burst = html.find("error_burst</strong>");
  const size_t drop = html.find("traffic_drop</strong>");
  ASSERT_NE(drop, std::string::npos);
  // The group's block closes after its second anomaly's and before mistral's.
  const size_t close = html.find("</div>\n</div>\n", burst);
  EXPECT_LT(open, spike);
  EXPECT_LT(spike, burst);
  EXPECT_LT(close, drop);
  EXPECT_NE(html.find("incident</strong> on <code>llama</code>"), std::string::npos);
}

}  // namespace
}  // namespace inferscope
