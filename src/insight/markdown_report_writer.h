#ifndef INFERSCOPE_INSIGHT_MARKDOWN_REPORT_WRITER_H_
#define INFERSCOPE_INSIGHT_MARKDOWN_REPORT_WRITER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "insight/analysis_report.h"

namespace inferscope {

struct MarkdownReportOptions {
  // Longer trend series are shown as this many evenly spaced windows (first and last
  // included), with a note saying how many were left out.
  size_t max_trend_rows = 48;
};

// Renders an AnalysisReport as GitHub-flavoured Markdown (`analyze --format markdown`), for
// pasting into an issue or a pull request: a summary list, then tables for models, the
// all-models trend, outliers, correlations, the investigation and rejected input.
// Untrusted strings (model names, request ids, sources, reasons, findings) are escaped with
// EscapeMarkdown, so they can neither break a table nor inject markup. Absent values print
// as "-". Stateless apart from the options; Render is thread-safe.
class MarkdownReportWriter {
 public:
  MarkdownReportWriter() = default;
  explicit MarkdownReportWriter(MarkdownReportOptions options) : options_(options) {}

  std::string Render(const AnalysisReport& report) const;

 private:
  MarkdownReportOptions options_;
};

// Makes text safe as inline Markdown, including inside a table cell: characters with a
// Markdown, GFM or HTML meaning (\ ` * _ [ ] < > | # ~ & $ !) get a backslash, and line
// breaks and other control characters become spaces. With at_block_start (text that begins
// a line or a list item), a leading block marker ("-", "+", "=", "1.", "1)") is escaped too.
std::string EscapeMarkdown(std::string_view text, bool at_block_start = false);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_MARKDOWN_REPORT_WRITER_H_
