#include "insight/series_incident_report.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace inferscope {
namespace {

TEST(SeriesIncidentReportTest, ReportGivesRangeBaselinePeakSeverityCausesAndActions) {
  DetectedSeries s;
  s.key = SeriesKey("ttft", {{"model_name", "llama"}});
  // Expected values before the anomaly: 1, 2, 3, 4, 100 -> median 3.
  const double expected[] = {1, 2, 3, 4, 100, 5, 5};
  for (int i = 0; i < 7; ++i) {
    s.samples.push_back({i * kNanosPerMinute, 1.0});
    DetectorOutput o;
    o.expected = expected[i];
    o.lower = 0.5 + i;
    o.upper = 9.0 + i;
    s.outputs.push_back(o);
  }
  Anomaly a;
  a.metric = "ttft";
  a.labels = s.key.labels();
  a.severity = Severity::kHigh;
  a.state = AnomalyState::kResolved;
  a.start_ns = 5 * kNanosPerMinute;
  a.end_ns = 6 * kNanosPerMinute;
  a.peak_ns = 6 * kNanosPerMinute;
  a.observed = 8;
  a.expected = 4;
  a.score = 0.9;
  a.detector = "robust_z";
  a.summary = "S";
  a.cause = "C";
  a.recommendation = "R";
  SeriesReportContext c{"http://p:9090", "ttft",           0,      10 * kNanosPerMinute,
                        kNanosPerMinute, "robust_z+cusum", "a.svg"};
  const std::string md = RenderSeriesIncidentReport(c, {s}, {a});
  for (const char* want : {
           "# Anomaly report: 1 anomaly in 1 series",
           "- **Time range**: 1970-01-01T00:00:00Z to 1970-01-01T00:10:00Z",
           "![anomalies](a.svg)",
           "## 1. ttft{model_name=\"llama\"} — high",
           "- **Baseline**: 3 (usual band 4.5 to 13)",
           "- **Peak**: 8 at 1970-01-01T00:06:00Z against expected 4 (+100%)",
           "- **Severity**: high (score 0.90, detector robust_z",
           "- **Suspected causes**: C",
           "- **Suggested actions**: R",
       }) {
    EXPECT_NE(md.find(want), std::string::npos) << want << "\n" << md;
  }
}

TEST(SeriesIncidentReportTest, NoAnomaliesSaysSo) {
  SeriesReportContext c{"p", "q", 0, kNanosPerHour, kNanosPerMinute, "d", ""};
  const std::string md = RenderSeriesIncidentReport(c, {}, {});
  EXPECT_NE(md.find("No anomalies"), std::string::npos);
  EXPECT_EQ(RenderSeriesAnomalyTable({}, 4, false), "0 anomalies in 4 series\n");
}

TEST(SeriesIncidentReportTest, MarkdownTableEscapesPipes) {
  Anomaly a;
  a.metric = "m";
  a.summary = "a|b";
  const std::string t = RenderSeriesAnomalyTable({a}, 1, true);
  EXPECT_NE(t.find("a\\|b"), std::string::npos) << t;
}

}  // namespace
}  // namespace inferscope
