#ifndef INFERSCOPE_INSIGHT_JSON_REPORT_WRITER_H_
#define INFERSCOPE_INSIGHT_JSON_REPORT_WRITER_H_

#include <string>

#include "insight/analysis_report.h"

namespace inferscope {

// Which sections JsonReportWriter emits. An omitted section's key is absent from the output
// (not null). "version" and "summary" are always present, as are "models" (the stable core
// of the schema, see docs/analyze-output.md).
struct JsonReportOptions {
  bool include_input = true;
  bool include_trends = true;
  bool include_outliers = true;
  bool include_correlations = true;
  bool include_investigation = true;
  bool include_anomalies = true;
  int indent = 2;  // 0 = compact, one line
};

// Serialises an AnalysisReport as the JSON document of `inferscope analyze --format json`.
// The schema and its stability promise are documented in docs/analyze-output.md; keep the
// two in step. NaN (absent) values are written as null; timestamps as ISO-8601 UTC strings
// with milliseconds. Stateless apart from the options; Render is const and thread-safe.
class JsonReportWriter {
 public:
  JsonReportWriter() = default;
  explicit JsonReportWriter(JsonReportOptions options) : options_(options) {}

  // The whole document, ending with a newline.
  std::string Render(const AnalysisReport& report) const;

 private:
  JsonReportOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_JSON_REPORT_WRITER_H_
