#include "insight/markdown_report_writer.h"

#include <gtest/gtest.h>

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

// Unescaped pipes in a table row: the cell separators.
size_t CountCellSeparators(std::string_view row) {
  size_t count = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++count;
    }
  }
  return count;
}

// Every line of a table block has as many cell separators as its header.
void ExpectWellFormedTables(const std::string& markdown) {
  std::vector<std::string> lines = Lines(markdown);
  size_t header_separators = 0;
  bool in_table = false;
  for (const std::string& line : lines) {
    if (line.empty() || line[0] != '|') {
      in_table = false;
      continue;
    }
    if (!in_table) header_separators = CountCellSeparators(line);
    in_table = true;
    EXPECT_EQ(CountCellSeparators(line), header_separators) << line;
  }
}

TEST(MarkdownReportWriterTest, MatchesGoldenFile) {
  ExpectMatchesGolden("report_small.md", MarkdownReportWriter().Render(MakeSampleReport()));
}

TEST(MarkdownReportWriterTest, HasEverySection) {
  std::string md = MarkdownReportWriter().Render(MakeSampleReport());
  for (std::string_view heading :
       {"# inferscope analysis\n", "## Summary\n", "## Models\n", "## Trends\n", "## Outliers\n",
        "## Correlations\n", "## Investigation\n", "### Findings\n", "## Input\n"}) {
    EXPECT_NE(md.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(md.find("| **latency\\_ms** | 1.00 | 0.82 | 0.31 |"), std::string::npos);
  EXPECT_NE(md.find("| **output\\_tokens** | 0.82 | 1.00 | - |"), std::string::npos);
  ExpectWellFormedTables(md);
  EXPECT_EQ(md.back(), '\n');
  EXPECT_NE(md.substr(md.size() - 2), "\n\n");
}

TEST(MarkdownReportWriterTest, EscapesMarkdownSignificantCharacters) {
  EXPECT_EQ(EscapeMarkdown("a|b"), "a\\|b");
  EXPECT_EQ(EscapeMarkdown("*bold* _it_ `code` [l](x) <b> #1 ~s~ a&b $x$ !"),
            "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](x) \\<b\\> \\#1 \\~s\\~ a\\&b \\$x\\$ \\!");
  EXPECT_EQ(EscapeMarkdown("back\\slash"), "back\\\\slash");
  EXPECT_EQ(EscapeMarkdown("two\nlines\r\tand\x01"), "two lines  and ");
  EXPECT_EQ(EscapeMarkdown("llama-3-8b 1.5"), "llama-3-8b 1.5");
}

TEST(MarkdownReportWriterTest, EscapesBlockMarkersOnlyAtBlockStart) {
  EXPECT_EQ(EscapeMarkdown("- x", true), "\\- x");
  EXPECT_EQ(EscapeMarkdown("+ x", true), "\\+ x");
  EXPECT_EQ(EscapeMarkdown("12. x", true), "12\\. x");
  EXPECT_EQ(EscapeMarkdown("3) x", true), "3\\) x");
  EXPECT_EQ(EscapeMarkdown("- x"), "- x");
  EXPECT_EQ(EscapeMarkdown("0.1.0"), "0.1.0");
}

TEST(MarkdownReportWriterTest, HostileNamesCannotBreakTables) {
  AnalysisReport report = MakeSampleReport();
  report.models[0].model = "evil|model\n| injected | row |";
  report.outliers.worst[1].request_id = "req|<script>alert(1)</script>";
  report.outliers.aggregates[0].model = "x|y";
  report.input.first_rejects[0].reason = "bad | reason\nsecond line";
  report.investigation.findings[0] = "1. not a list\n# not a heading";
  std::string md = MarkdownReportWriter().Render(report);
  ExpectWellFormedTables(md);
  EXPECT_NE(md.find("| evil\\|model \\| injected \\| row \\| |"), std::string::npos);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_NE(md.find("- 1\\. not a list \\# not a heading\n"), std::string::npos);
}

TEST(MarkdownReportWriterTest, LongTrendsAreSampledEvenlyWithANote) {
  AnalysisReport report = MakeSampleReport();
  TrendSeries& all = report.trends.series[0];
  TrendPoint last = all.points.back();
  all.points.clear();
  for (int i = 0; i < 300; ++i) {
    TrendPoint p = last;
    p.start_ns = last.start_ns + i * report.trends.window_ns;
    p.requests = static_cast<uint64_t>(i);
    all.points.push_back(p);
  }
  std::string md = MarkdownReportWriter().Render(report);
  EXPECT_NE(md.find("Showing 48 evenly spaced windows; 252 omitted"), std::string::npos);
  size_t start = md.find("| Window start |");
  size_t end = md.find("\n\n", start);
  ASSERT_NE(start, std::string::npos);
  std::vector<std::string> rows = Lines(md.substr(start, end - start));
  ASSERT_EQ(rows.size(), 2u + 48u);
  // First and last windows are always shown.
  EXPECT_NE(rows[2].find(" | 0 | "), std::string::npos) << rows[2];
  EXPECT_NE(rows.back().find(" | 299 | "), std::string::npos) << rows.back();

  std::string small =
      MarkdownReportWriter(MarkdownReportOptions{.max_trend_rows = 5}).Render(MakeSampleReport());
  EXPECT_NE(small.find("Showing 5 evenly spaced windows; 5 omitted"), std::string::npos);
}

TEST(MarkdownReportWriterTest, RendersAnEmptyReport) {
  std::string md = MarkdownReportWriter().Render(AnalysisReport{});
  EXPECT_NE(md.find("No requests matched."), std::string::npos);
  EXPECT_EQ(md.find("## Models"), std::string::npos);
  EXPECT_EQ(md.find("## Investigation"), std::string::npos);
  EXPECT_NE(md.find("## Input"), std::string::npos);
  ExpectWellFormedTables(md);
}

TEST(MarkdownReportWriterTest, AnIncidentOfSeveralAnomaliesGetsItsOwnHeading) {
  AnalysisReport report = MakeSampleReport();
  SetGroupedAnomalies(report);
  const std::string md = MarkdownReportWriter().Render(report);
  const size_t heading = md.find(
      "### critical incident on llama: 2024-05-01T12:02:00Z to 2024-05-01T12:07:00Z (2 "
      "anomalies)\n");
  const size_t spike = md.find("#### high latency_spike on llama: ");
  const size_t burst = md.find("#### critical error_burst on llama: ");
  const size_t drop = md.find("### medium traffic_drop on mistral: 2024-05-01T12:08:00Z to now");
  ASSERT_NE(heading, std::string::npos) << md;
  ASSERT_NE(spike, std::string::npos);
  ASSERT_NE(burst, std::string::npos);
  ASSERT_NE(drop, std::string::npos);
  EXPECT_LT(heading, spike);
  EXPECT_LT(spike, burst);
  EXPECT_LT(burst, drop);
}

}  // namespace
}  // namespace inferscope
