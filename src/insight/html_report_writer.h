#ifndef INFERSCOPE_INSIGHT_HTML_REPORT_WRITER_H_
#define INFERSCOPE_INSIGHT_HTML_REPORT_WRITER_H_

#include <cstddef>
#include <string>

#include "core/status.h"
#include "insight/analysis_report.h"

namespace inferscope {

// Turns an AnalysisReport into one self-contained HTML page (`analyze --report x.html`):
// inline CSS, charts as inline SVG (see svg_chart.h), no scripts, fonts, images or any other
// network reference, so the file opens offline and can be mailed around. Hover text comes
// from SVG <title> elements, so nothing needs JavaScript.
//
// Sections, in order: header with key-number cards (and the first rejected lines in a
// <details>), latency percentiles over time with outliers marked, requests and error rate
// over time, per-model bars, cost over time, Pearson and Spearman heatmaps, and tables
// (summary, model comparison, worst request outliers, aggregate outliers, spike
// investigation).
//
// Every string from the report (model names, request ids, paths, reasons) is HTML-escaped.
// Absent values (NaN) are shown as "–". Trend lines longer than
// Options::max_points_per_series are reduced by min/max bucketing (DownsampleMinMax), so a
// report with many windows stays a few hundred kB. The output depends only on the report
// (no "generated at" time), so it can be compared with a golden file.
// Stateless and thread-safe.
class HtmlReportWriter {
 public:
  struct Options {
    size_t max_points_per_series = 1500;
    size_t max_models_in_charts = 12;  // per-model bars and lines show the largest models
  };

  HtmlReportWriter() = default;
  explicit HtmlReportWriter(Options options) : options_(options) {}

  std::string Render(const AnalysisReport& report) const;

 private:
  Options options_;
};

// Renders `report` with default options and writes it to `path` (replacing the file).
Status WriteHtmlReport(const AnalysisReport& report, const std::string& path);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_HTML_REPORT_WRITER_H_
