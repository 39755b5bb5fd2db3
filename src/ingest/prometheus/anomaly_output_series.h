#ifndef INFERSCOPE_INGEST_PROMETHEUS_ANOMALY_OUTPUT_SERIES_H_
#define INFERSCOPE_INGEST_PROMETHEUS_ANOMALY_OUTPUT_SERIES_H_

#include <string_view>
#include <vector>

#include "core/series_key.h"
#include "ingest/prometheus/prometheus_response_parser.h"

namespace inferscope {

// The series inferscope writes back through remote_write, for alerting and graphing.
inline constexpr std::string_view kAnomalyScoreMetric = "inferscope_anomaly_score";
inline constexpr std::string_view kExpectedMetric = "inferscope_expected";
inline constexpr std::string_view kExpectedLowerMetric = "inferscope_expected_lower";
inline constexpr std::string_view kExpectedUpperMetric = "inferscope_expected_upper";

// Labels added to the input series' labels.
inline constexpr std::string_view kDetectorLabel = "detector";
inline constexpr std::string_view kSourceMetricLabel = "source_metric";

// One detector output at one input timestamp.
struct AnomalyOutputPoint {
  TimestampNs timestamp_ns = 0;
  double score = 0;     // anomaly score in [0, 1]
  double expected = 0;  // the detector's expected value
  double lower = 0;     // expected band, lower edge
  double upper = 0;     // expected band, upper edge
};

// The four output series for one input series and one detector:
//   inferscope_anomaly_score, inferscope_expected, inferscope_expected_lower,
//   inferscope_expected_upper
// in that order, each carrying the input's labels plus detector="<detector>" and, when the
// input has a metric name, source_metric="<input __name__>" (so outputs of two input metrics
// with equal labels stay apart). An input label already named "detector" or
// "source_metric" is kept as "exported_detector" / "exported_source_metric", as Prometheus
// does for clashing target labels.
//
// A point whose value is NaN or infinite is left out of that one series (a gap in the
// graph; a detector still warming up has no expected value). Points keep the caller's
// order, which must be ascending in time for RemoteWriteClient. Timestamps must be those
// of input samples, i.e. in the past: RemoteWriteClient refuses future ones.
std::vector<PrometheusSeries> BuildAnomalyOutputSeries(
    const SeriesKey& input, std::string_view detector,
    const std::vector<AnomalyOutputPoint>& points);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_ANOMALY_OUTPUT_SERIES_H_
