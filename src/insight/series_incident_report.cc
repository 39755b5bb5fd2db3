#include "insight/series_incident_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/time_format.h"
#include "insight/series_anomaly_explainer.h"

namespace inferscope {
namespace {

std::string Num(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "n/a"; }

std::string SeriesText(const Anomaly& a) { return a.metric + FormatSeriesLabels(a.labels); }

// Markdown table cells must not contain '|' or newlines.
std::string Cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

TimestampNs EndOf(const Anomaly& a) {
  return a.state == AnomalyState::kResolved ? a.end_ns : a.last_seen_ns;
}

// Median of the expected values of the series before the anomaly started (the baseline the
// detectors had learned), NaN when unknown.
double BaselineBefore(const std::vector<DetectedSeries>& series, const Anomaly& a, double* band_lo,
                      double* band_hi) {
  *band_lo = *band_hi = std::nan("");
  for (const DetectedSeries& s : series) {
    if (s.key.labels() != a.labels || s.key.metric() != a.metric) continue;
    std::vector<double> exp;
    double lo = std::nan(""), hi = std::nan("");
    for (size_t i = 0; i < s.samples.size() && s.samples[i].timestamp_ns < a.start_ns; ++i) {
      if (std::isfinite(s.outputs[i].expected)) exp.push_back(s.outputs[i].expected);
      if (std::isfinite(s.outputs[i].lower)) lo = s.outputs[i].lower;
      if (std::isfinite(s.outputs[i].upper)) hi = s.outputs[i].upper;
    }
    *band_lo = lo;
    *band_hi = hi;
    if (exp.empty()) return std::nan("");
    std::nth_element(exp.begin(), exp.begin() + exp.size() / 2, exp.end());
    return exp[exp.size() / 2];
  }
  return std::nan("");
}

}  // namespace

std::string RenderSeriesAnomalyTable(const std::vector<Anomaly>& anomalies, size_t series_count,
                                     bool markdown) {
  std::string out;
  if (markdown) {
    out += fmt::format("{} anomal{} in {} series\n\n", anomalies.size(),
                       anomalies.size() == 1 ? "y" : "ies", series_count);
    if (anomalies.empty()) return out;
    out +=
        "| severity | state | series | start | peak | observed | expected | summary |\n"
        "|---|---|---|---|---|---|---|---|\n";
    for (const Anomaly& a : anomalies) {
      out +=
          fmt::format("| {} | {} | `{}` | {} | {} | {} | {} | {} |\n", SeverityName(a.severity),
                      AnomalyStateName(a.state), Cell(SeriesText(a)), FormatIso8601(a.start_ns),
                      FormatIso8601(a.peak_ns), Num(a.observed), Num(a.expected), Cell(a.summary));
    }
    return out;
  }
  out += fmt::format("{} anomal{} in {} series\n", anomalies.size(),
                     anomalies.size() == 1 ? "y" : "ies", series_count);
  if (anomalies.empty()) return out;
  out += fmt::format("{:<9} {:<9} {:<20} {:<20} {:>10} {:>10}  {}\n", "SEVERITY", "STATE", "START",
                     "PEAK", "OBSERVED", "EXPECTED", "SERIES");
  for (const Anomaly& a : anomalies) {
    out += fmt::format("{:<9} {:<9} {:<20} {:<20} {:>10} {:>10}  {}\n", SeverityName(a.severity),
                       AnomalyStateName(a.state), FormatIso8601(a.start_ns),
                       FormatIso8601(a.peak_ns), Num(a.observed), Num(a.expected), SeriesText(a));
  }
  return out;
}

std::string RenderSeriesIncidentReport(const SeriesReportContext& c,
                                       const std::vector<DetectedSeries>& series,
                                       const std::vector<Anomaly>& anomalies) {
  std::string out;
  out += fmt::format("# Anomaly report: {} anomal{} in {} series\n\n", anomalies.size(),
                     anomalies.size() == 1 ? "y" : "ies", series.size());
  out += fmt::format("- **Source**: {}\n", c.source);
  out += fmt::format("- **Query**: `{}`\n", c.query);
  out += fmt::format("- **Time range**: {} to {} ({}, step {})\n", FormatIso8601(c.start_ns),
                     FormatIso8601(c.end_ns), FormatDurationHuman(c.end_ns - c.start_ns),
                     FormatDurationHuman(c.step_ns));
  out += fmt::format("- **Detectors**: {}\n", c.detectors);
  if (!c.plot_path.empty()) out += fmt::format("- **Chart**: ![anomalies]({})\n", c.plot_path);
  out += "\n";
  if (anomalies.empty()) {
    out += "No anomalies: every series stayed within its expected band.\n";
    return out;
  }
  out += "## Summary\n\n";
  out += RenderSeriesAnomalyTable(anomalies, series.size(), true);
  int n = 0;
  for (const Anomaly& a : anomalies) {
    ++n;
    double band_lo = 0, band_hi = 0;
    const double baseline = BaselineBefore(series, a, &band_lo, &band_hi);
    out += fmt::format("\n## {}. {} — {}\n\n", n, SeriesText(a), SeverityName(a.severity));
    out += fmt::format("- **Metric**: `{}`\n", a.metric);
    out += fmt::format("- **Labels**: `{}`\n", FormatSeriesLabels(a.labels));
    out += fmt::format("- **Time range**: {} to {} ({}, {})\n", FormatIso8601(a.start_ns),
                       FormatIso8601(EndOf(a)), FormatDurationHuman(EndOf(a) - a.start_ns),
                       a.state == AnomalyState::kResolved ? "resolved" : "still firing");
    out += fmt::format("- **Baseline**: {} (usual band {} to {})\n", Num(baseline), Num(band_lo),
                       Num(band_hi));
    const double rel = std::isfinite(a.expected) && a.expected != 0
                           ? (a.observed - a.expected) / std::fabs(a.expected) * 100.0
                           : std::nan("");
    out += fmt::format("- **Peak**: {} at {} against expected {}{}\n", Num(a.observed),
                       FormatIso8601(a.peak_ns), Num(a.expected),
                       std::isfinite(rel) ? fmt::format(" ({:+.0f}%)", rel) : "");
    out += fmt::format("- **Severity**: {} (score {:.2f}, detector {}, {} anomalous points)\n",
                       SeverityName(a.severity), a.score, a.detector, a.points);
    out += fmt::format("- **What happened**: {}\n", a.summary);
    out += fmt::format("- **Suspected causes**: {}\n", a.cause);
    out += fmt::format("- **Suggested actions**: {}\n", a.recommendation);
  }
  return out;
}

}  // namespace inferscope
