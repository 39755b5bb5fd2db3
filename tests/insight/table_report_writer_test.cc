#include "insight/table_report_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "sample_report.h"

namespace inferscope {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string StripAnsi(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

// Display columns: one per UTF-8 code point.
size_t Width(std::string_view line) {
  return static_cast<size_t>(std::count_if(line.begin(), line.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void ExpectAllLinesFit(const std::string& text, size_t max_width) {
  for (const std::string& line : Lines(StripAnsi(text))) {
    EXPECT_LE(Width(line), max_width) << line;
  }
}

TEST(TableReportWriterTest, MatchesGoldenFile) {
  ExpectMatchesGolden("report_small.txt", TableReportWriter().Render(MakeSampleReport()));
}

TEST(TableReportWriterTest, RightAlignsNumbersInColumns) {
  std::string text = TableReportWriter().Render(MakeSampleReport());
  std::vector<std::string> lines = Lines(text);
  auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.starts_with("  Model ") && l.find("Requests") != std::string::npos;
  });
  ASSERT_NE(header, lines.end());
  size_t requests_end = header->find("Requests") + std::string_view("Requests").size();
  EXPECT_EQ((header + 1)->substr(requests_end - 3, 3), "800");
  EXPECT_EQ((header + 2)->substr(requests_end - 3, 3), "400");
  EXPECT_NE(text.find("latency_ms ~ output_tokens: Pearson 0.82, Spearman 0.85 (strong positive)"),
            std::string::npos);
  EXPECT_NE(text.find("12 lines rejected; first: logs/a.jsonl:17: invalid JSON"),
            std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no colour unless asked";
}

TEST(TableReportWriterTest, StaysWithin120ColumnsWithLongNames) {
  AnalysisReport report = MakeSampleReport();
  const std::string long_name(200, 'm');
  report.models[0].model = long_name;
  report.outliers.worst[1].model = long_name;
  report.outliers.worst[1].request_id = std::string(150, 'r');
  report.outliers.aggregates[0].model = "модель-" + long_name;  // multi-byte UTF-8
  report.investigation.findings[0] = std::string(300, 'f') + " and " + std::string(50, 'g');
  report.input.first_rejects[0].reason = std::string(400, 'x');
  report.correlations.fields[0] = std::string(130, 'c');
  ExpectAllLinesFit(TableReportWriter().Render(report), 120);
  ExpectAllLinesFit(TableReportWriter(TableReportOptions{.use_color = true}).Render(report), 120);
  ExpectAllLinesFit(TableReportWriter(TableReportOptions{.max_width = 80}).Render(report), 80);
  std::string text = TableReportWriter().Render(report);
  EXPECT_NE(text.find("mmmm\xE2\x80\xA6"), std::string::npos) << "shortened with an ellipsis";
}

TEST(TableReportWriterTest, ColourOnlyWhenAsked) {
  std::string plain = TableReportWriter().Render(MakeSampleReport());
  std::string color =
      TableReportWriter(TableReportOptions{.use_color = true}).Render(MakeSampleReport());
  EXPECT_NE(color.find("\x1b[1mSummary\x1b[0m"), std::string::npos);
  EXPECT_NE(color.find("\x1b[31m19.4%\x1b[0m"), std::string::npos) << "error rate > 5% is red";
  EXPECT_EQ(StripAnsi(color), plain);
}

TEST(TableReportWriterTest, ControlCharactersCannotReachTheTerminal) {
  AnalysisReport report = MakeSampleReport();
  report.models[0].model = "evil\x1b]0;pwned\x07model\n";
  report.outliers.worst[1].request_id = "req\x1b[2J";
  report.input.first_rejects[0].reason =
      "bad\r\nreason\xC2\x9B"
      "31m";
  report.investigation.findings[0] = "find\x1bing";
  std::string text = TableReportWriter().Render(report);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find("\xC2\x9B"), std::string::npos) << "C1 CSI";
  EXPECT_NE(text.find("evil?]0;pwned?model?"), std::string::npos);
}

TEST(TableReportWriterTest, LongTrendIsSampledToAtMost24Rows) {
  AnalysisReport report = MakeSampleReport();
  TrendSeries& all = report.trends.series[0];
  TrendPoint first = all.points.front();
  all.points.clear();
  for (int i = 0; i < 1000; ++i) {
    TrendPoint p = first;
    p.start_ns = first.start_ns + i * report.trends.window_ns;
    all.points.push_back(p);
  }
  std::string text = TableReportWriter().Render(report);
  EXPECT_NE(text.find("24 of 1000 shown, evenly spaced"), std::string::npos);
  std::vector<std::string> lines = Lines(text);
  auto header = std::find_if(lines.begin(), lines.end(),
                             [](const std::string& l) { return l.starts_with("  Window  "); });
  ASSERT_NE(header, lines.end());
  size_t rows = 0;
  for (auto it = header + 1; it != lines.end() && it->starts_with("  2"); ++it) ++rows;
  EXPECT_EQ(rows, 24u);
  EXPECT_TRUE((header + 1)->starts_with("  2024-05-01 12:00:00"));
  // The last window, 999 minutes in.
  EXPECT_TRUE((header + 24)->starts_with("  2024-05-02 04:39:00"));
}

TEST(TableReportWriterTest, ShowsAtMostTenOutliersOfOneMethod) {
  AnalysisReport report = MakeSampleReport();
  RequestOutlier extra = report.outliers.worst[1];
  for (int i = 0; i < 15; ++i)
    report.outliers.worst.insert(report.outliers.worst.begin() + 2, extra);
  std::string text = TableReportWriter().Render(report);
  EXPECT_NE(text.find("Most extreme requests by robust_z"), std::string::npos);
  EXPECT_NE(text.find("\n  10  "), std::string::npos);
  EXPECT_EQ(text.find("\n  11  "), std::string::npos);
}

TEST(TableReportWriterTest, ListsTheFiveStrongestCorrelations) {
  AnalysisReport report = MakeSampleReport();
  Correlations& c = report.correlations;
  c.fields = {"a", "b", "c", "d", "e"};
  c.pearson.assign(25, 0.1);
  c.spearman.assign(25, kAbsent);
  auto set = [&](size_t i, size_t j, double r) { c.pearson[i * 5 + j] = c.pearson[j * 5 + i] = r; };
  set(0, 1, 0.9);
  set(2, 3, -0.95);
  set(1, 4, 0.5);
  std::string text = TableReportWriter().Render(report);
  size_t strong_negative = text.find("  c ~ d: Pearson -0.95, Spearman - (strong negative)");
  size_t strong_positive = text.find("  a ~ b: Pearson 0.90, Spearman - (strong positive)");
  size_t moderate = text.find("  b ~ e: Pearson 0.50, Spearman - (moderate positive)");
  ASSERT_NE(strong_negative, std::string::npos) << text;
  ASSERT_NE(strong_positive, std::string::npos);
  ASSERT_NE(moderate, std::string::npos);
  EXPECT_LT(strong_negative, strong_positive);
  EXPECT_LT(strong_positive, moderate);
  size_t section = text.find("Strongest correlations");
  size_t count = 0;
  for (size_t p = text.find(": Pearson", section); p != std::string::npos;
       p = text.find(": Pearson", p + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 5u);
}

TEST(TableReportWriterTest, RendersAnEmptyReport) {
  std::string text = TableReportWriter().Render(AnalysisReport{});
  EXPECT_NE(text.find("no requests"), std::string::npos);
  EXPECT_NE(text.find("Input: 0 sources"), std::string::npos);
  EXPECT_EQ(text.find("Models"), std::string::npos);
  ExpectAllLinesFit(text, 120);
}

TEST(TableReportWriterTest, AnomaliesOfOneIncidentAreListedUnderItsHeading) {
  AnalysisReport report = MakeSampleReport();
  SetGroupedAnomalies(report);
  const std::vector<std::string> lines = Lines(TableReportWriter().Render(report));
  auto at = [&](std::string_view prefix) {
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.starts_with(prefix); });
    EXPECT_NE(it, lines.end()) << prefix;
    return it - lines.begin();
  };
  const auto title = at("Anomalies (3 in 2 incidents)");
  const auto heading =
      at("  [critical] incident on llama, 2024-05-01 12:02:00 to 12:07:00 UTC: 2 anomalies");
  const auto spike = at("    [high] latency_spike on llama, 2024-05-01 12:02:00 to 12:06:00 UTC");
  const auto burst = at("    [critical] error_burst on llama");
  const auto drop =
      at("  [medium] traffic_drop on mistral, since 2024-05-01 12:08:00, still firing");
  EXPECT_LT(title, heading);
  EXPECT_EQ(spike, heading + 1);
  EXPECT_LT(spike, burst);
  EXPECT_LT(burst, drop);
  EXPECT_EQ(lines[static_cast<size_t>(spike) + 1], "      Summary of latency_p95_ms.");
  EXPECT_EQ(lines[static_cast<size_t>(drop) + 1], "    Summary of requests.");
}

}  // namespace
}  // namespace inferscope
