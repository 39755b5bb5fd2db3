#ifndef INFERSCOPE_INSIGHT_CSV_REPORT_WRITER_H_
#define INFERSCOPE_INSIGHT_CSV_REPORT_WRITER_H_

#include <optional>
#include <string>
#include <string_view>

#include "insight/analysis_report.h"

namespace inferscope {

// The part of an AnalysisReport one CSV document holds (`analyze --format csv --section X`).
enum class CsvSection {
  kModels,        // one row per model, every ModelSummary field
  kTrends,        // one row per (series, window); series "*" is all models together
  kOutliers,      // the worst per-request outliers, most extreme first
  kSummary,       // key,value rows; keys are the JSON paths ("summary.latency_ms.p95")
  kCorrelations,  // field_a,field_b,pearson,spearman for each unordered pair
};

// "models", "trends", "outliers", "summary", "correlations".
std::string_view CsvSectionName(CsvSection section);
// The inverse of CsvSectionName; nullopt for an unknown name.
std::optional<CsvSection> ParseCsvSection(std::string_view name);

// Writes one section of an AnalysisReport as RFC 4180 CSV: a header row always (even with no
// data rows), CRLF line ends, fields quoted when they hold a comma, double quote, CR or LF,
// with quotes doubled. Absent (NaN) values are empty cells; timestamps are ISO-8601 UTC with
// milliseconds; numbers are exact (shortest round-trip), never thousands-separated. Columns
// are listed in docs/analyze-output.md. Strings are written verbatim: a spreadsheet may
// interpret a cell starting with '=' as a formula. Stateless; Render is thread-safe.
class CsvReportWriter {
 public:
  std::string Render(const AnalysisReport& report, CsvSection section) const;
};

// Appends `field` to out as one CSV field, quoted only when needed.
void AppendCsvField(std::string* out, std::string_view field);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_CSV_REPORT_WRITER_H_
