#ifndef INFERSCOPE_INSIGHT_SERIES_INCIDENT_REPORT_H_
#define INFERSCOPE_INSIGHT_SERIES_INCIDENT_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/anomaly.h"
#include "insight/series_detection.h"

namespace inferscope {

// What was asked, for the report's header.
struct SeriesReportContext {
  std::string source;  // "http://prometheus:9090"
  std::string query;   // the PromQL expression
  TimestampNs start_ns = 0;
  TimestampNs end_ns = 0;
  int64_t step_ns = 0;
  std::string detectors;  // "robust_z+cusum"
  std::string plot_path;  // linked from the report when not empty
};

// A Markdown incident report as an SRE pastes it into an incident channel or ticket: the
// query, time range and step; a table of anomalies (series, start, peak, severity); then per
// anomaly the metric and labels, time range and duration, baseline (expected value and band
// before the anomaly), peak value and when, deviation, severity, suspected causes and
// suggested actions (the anomaly's summary/cause/recommendation, filled by an explainer).
// `series` gives the count of series checked and the baseline level. Pure function.
std::string RenderSeriesIncidentReport(const SeriesReportContext& context,
                                       const std::vector<DetectedSeries>& series,
                                       const std::vector<Anomaly>& anomalies);

// The anomaly table on a terminal (markdown = false) or as a Markdown table (true):
// severity, state, series (metric + labels), start, peak time, observed, expected, summary.
std::string RenderSeriesAnomalyTable(const std::vector<Anomaly>& anomalies, size_t series_count,
                                     bool markdown);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SERIES_INCIDENT_REPORT_H_
