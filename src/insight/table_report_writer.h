#ifndef INFERSCOPE_INSIGHT_TABLE_REPORT_WRITER_H_
#define INFERSCOPE_INSIGHT_TABLE_REPORT_WRITER_H_

#include <cstddef>
#include <string>

#include "insight/analysis_report.h"

namespace inferscope {

struct TableReportOptions {
  // Bold titles and headers, red error rates above 5%, yellow above 1%. Set it only when the
  // output is a terminal (isatty) and NO_COLOR is unset: the writer cannot tell.
  bool use_color = false;
  // No line is wider than this many columns (one column per code point; East Asian wide
  // characters count as one). Model names and request ids are shortened with "…" to fit.
  size_t max_width = 120;
  size_t max_trend_rows = 24;   // a longer trend is shown as this many evenly spaced windows
  size_t max_outliers = 10;     // rows of each outlier table
  size_t max_correlations = 5;  // the strongest pairs, by the larger of |Pearson|, |Spearman|
};

// The default output of `inferscope analyze`: a concise, aligned, human-readable report for a
// terminal. Sections: header line, summary block, per-model table, compact all-models trend,
// top outliers, strongest correlations in words, investigation, and the input/reject summary
// last. Numbers are for people (thousands separators, ms with one decimal, %, $); machines
// should use JsonReportWriter. Control characters in untrusted strings are replaced by '?',
// so a crafted model name cannot send escape sequences to the terminal. Absent values print
// as "-". Stateless apart from the options; Render is thread-safe.
class TableReportWriter {
 public:
  TableReportWriter() = default;
  explicit TableReportWriter(TableReportOptions options) : options_(options) {}

  std::string Render(const AnalysisReport& report) const;

 private:
  TableReportOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_TABLE_REPORT_WRITER_H_
