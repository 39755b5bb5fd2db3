#include "insight/csv_report_writer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sample_report.h"

namespace inferscope {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader: CRLF record ends, quoted fields with doubled quotes. Returns
// nullopt on anything malformed (a bare LF, a quote inside an unquoted field, text after a
// closing quote, an unterminated quote, a missing final CRLF).
std::optional<Rows> ReadCsv(std::string_view text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) return std::nullopt;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\r') {
        if (text[i] == '"' || text[i] == '\n') return std::nullopt;
        field.push_back(text[i++]);
      }
    }
    if (i >= text.size()) return std::nullopt;
    if (text[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (text.substr(i, 2) == "\r\n") {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return rows;
}

Rows Read(const std::string& csv) {
  std::optional<Rows> rows = ReadCsv(csv);
  EXPECT_TRUE(rows.has_value()) << "not RFC 4180:\n" << csv;
  return rows.value_or(Rows{});
}

// The column index of `name` in the header row.
size_t Column(const Rows& rows, std::string_view name) {
  for (size_t i = 0; i < rows.at(0).size(); ++i) {
    if (rows[0][i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::string Render(const AnalysisReport& report, CsvSection section) {
  return CsvReportWriter().Render(report, section);
}

void ExpectRectangular(const Rows& rows) {
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows.at(0).size());
}

TEST(CsvReportWriterTest, QuotesOnlyFieldsThatNeedIt) {
  std::string out;
  AppendCsvField(&out, "plain");
  EXPECT_EQ(out, "plain");
  out.clear();
  AppendCsvField(&out, "a,b");
  EXPECT_EQ(out, "\"a,b\"");
  out.clear();
  AppendCsvField(&out, "say \"hi\"");
  EXPECT_EQ(out, "\"say \"\"hi\"\"\"");
  out.clear();
  AppendCsvField(&out, "two\nlines\r");
  EXPECT_EQ(out, "\"two\nlines\r\"");
}

TEST(CsvReportWriterTest, ModelsHaveOneRowPerModelWithEveryField) {
  Rows rows = Read(Render(MakeSampleReport(), CsvSection::kModels));
  ASSERT_EQ(rows.size(), 3u);
  ExpectRectangular(rows);
  EXPECT_EQ(rows[0].size(), 32u);
  EXPECT_EQ(rows[1][Column(rows, "model")], "llama-3-8b");
  EXPECT_EQ(rows[1][Column(rows, "count")], "800");
  EXPECT_EQ(rows[1][Column(rows, "latency_ms_p95")], "640.9");
  EXPECT_EQ(rows[1][Column(rows, "ttft_ms_max")], "400");
  EXPECT_EQ(rows[1][Column(rows, "avg_queue_depth")], "2.25");
  EXPECT_EQ(rows[2][Column(rows, "cost_usd")], "7.5456");
  EXPECT_EQ(rows[2][Column(rows, "avg_batch_fill_ratio")], "") << "NaN is an empty cell";
  EXPECT_EQ(rows[2][Column(rows, "cache_hit_rate")], "");
}

TEST(CsvReportWriterTest, TrendsHaveOneRowPerSeriesAndWindow) {
  Rows rows = Read(Render(MakeSampleReport(), CsvSection::kTrends));
  ASSERT_EQ(rows.size(), 1u + 3u * 10u);
  ExpectRectangular(rows);
  EXPECT_EQ(rows[1][Column(rows, "model")], "*");
  EXPECT_EQ(rows[1][Column(rows, "start")], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(rows[1][Column(rows, "window_s")], "60");
  EXPECT_EQ(rows[3][Column(rows, "requests")], "0");
  EXPECT_EQ(rows[3][Column(rows, "latency_p95_ms")], "");
  EXPECT_EQ(rows[11][Column(rows, "model")], "llama-3-8b");
  EXPECT_EQ(rows[30][Column(rows, "model")], "mistral-7b");
  EXPECT_EQ(rows[30][Column(rows, "start")], "2024-05-01T12:09:00.000Z");
}

TEST(CsvReportWriterTest, OutliersRankWithinEachMethod) {
  Rows rows = Read(Render(MakeSampleReport(), CsvSection::kOutliers));
  ASSERT_EQ(rows.size(), 5u);
  ExpectRectangular(rows);
  size_t rank = Column(rows, "rank");
  size_t method = Column(rows, "method");
  EXPECT_EQ(rows[1][method], "zscore");
  EXPECT_EQ(rows[1][rank], "1");
  EXPECT_EQ(rows[2][method], "robust_z");
  EXPECT_EQ(rows[2][rank], "1");
  EXPECT_EQ(rows[3][rank], "2");
  EXPECT_EQ(rows[4][method], "iqr");
  EXPECT_EQ(rows[4][rank], "1");
  EXPECT_EQ(rows[2][Column(rows, "timestamp")], "2024-05-01T12:07:01.234Z");
  EXPECT_EQ(rows[2][Column(rows, "value")], "3021.9");
}

TEST(CsvReportWriterTest, SummaryKeysAreJsonPaths) {
  Rows rows = Read(Render(MakeSampleReport(), CsvSection::kSummary));
  ExpectRectangular(rows);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"key", "value"}));
  auto value = [&](std::string_view key) -> std::string {
    for (const auto& row : rows) {
      if (row[0] == key) return row[1];
    }
    ADD_FAILURE() << "no key " << key;
    return {};
  };
  EXPECT_EQ(value("summary.total_requests"), "1200");
  EXPECT_EQ(value("summary.error_rate"), "0.025");
  EXPECT_EQ(value("summary.latency_ms.p99"), "1480.7");
  EXPECT_EQ(value("summary.start"), "2024-05-01T12:00:00.250Z");
  EXPECT_EQ(value("input.sources[1]"), "logs/b.jsonl.gz");
  EXPECT_EQ(value("summary.cache_hit_rate"), "0.315");
}

TEST(CsvReportWriterTest, CorrelationsListEachUnorderedPairOnce) {
  Rows rows = Read(Render(MakeSampleReport(), CsvSection::kCorrelations));
  EXPECT_EQ(rows, (Rows{{"field_a", "field_b", "pearson", "spearman"},
                        {"latency_ms", "output_tokens", "0.8213", "0.8547"},
                        {"latency_ms", "gpu_util", "0.312", "0.2871"},
                        {"output_tokens", "gpu_util", "", ""}}));
}

TEST(CsvReportWriterTest, HostileStringsRoundTrip) {
  AnalysisReport report = MakeSampleReport();
  const std::string hostile = "we\"ird, mo|del\nname\r\n\"";
  report.models[0].model = hostile;
  report.trends.series[1].model = hostile;
  report.outliers.worst[0].request_id = hostile;
  report.input.sources[0] = hostile;
  report.correlations.fields[0] = hostile;

  Rows models = Read(Render(report, CsvSection::kModels));
  EXPECT_EQ(models[1][0], hostile);
  ExpectRectangular(models);
  Rows trends = Read(Render(report, CsvSection::kTrends));
  EXPECT_EQ(trends[11][0], hostile);
  Rows outliers = Read(Render(report, CsvSection::kOutliers));
  EXPECT_EQ(outliers[1][Column(outliers, "request_id")], hostile);
  Rows summary = Read(Render(report, CsvSection::kSummary));
  EXPECT_EQ(summary[2], (std::vector<std::string>{"input.sources[0]", hostile}));
  Rows correlations = Read(Render(report, CsvSection::kCorrelations));
  EXPECT_EQ(correlations[1][0], hostile);
}

TEST(CsvReportWriterTest, EmptyReportHasHeadersInEverySection) {
  AnalysisReport report;
  for (CsvSection section : {CsvSection::kModels, CsvSection::kTrends, CsvSection::kOutliers,
                             CsvSection::kCorrelations}) {
    Rows rows = Read(Render(report, section));
    ASSERT_EQ(rows.size(), 1u) << CsvSectionName(section);
    EXPECT_GT(rows[0].size(), 1u);
  }
  Rows summary = Read(Render(report, CsvSection::kSummary));
  ExpectRectangular(summary);
  for (const auto& row : summary) {
    if (row[0] == "summary.start" || row[0] == "summary.latency_ms.p50") {
      EXPECT_EQ(row[1], "");
    }
    if (row[0] == "summary.total_requests") {
      EXPECT_EQ(row[1], "0");
    }
  }
}

TEST(CsvReportWriterTest, SectionNamesRoundTrip) {
  for (CsvSection section : {CsvSection::kModels, CsvSection::kTrends, CsvSection::kOutliers,
                             CsvSection::kSummary, CsvSection::kCorrelations}) {
    EXPECT_EQ(ParseCsvSection(CsvSectionName(section)), section);
  }
  EXPECT_EQ(ParseCsvSection("Models"), std::nullopt);
  EXPECT_EQ(ParseCsvSection(""), std::nullopt);
}

}  // namespace
}  // namespace inferscope
