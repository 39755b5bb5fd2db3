#ifndef INFERSCOPE_INSIGHT_SERIES_DETECTION_H_
#define INFERSCOPE_INSIGHT_SERIES_DETECTION_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/series_key.h"
#include "detect/series_engine.h"
#include "ingest/prometheus/anomaly_output_series.h"
#include "ingest/prometheus/prometheus_response_parser.h"

namespace inferscope {

// One input series after detection: the points SeriesEngine accepted (in time order) and
// its output for each.
struct DetectedSeries {
  SeriesKey key;
  std::vector<Sample> samples;
  std::vector<DetectorOutput> outputs;  // outputs[i] is for samples[i]
};

// Feeds every series of a query answer to engine spec `spec`, in order. Points the engine
// ignores (not later than the series' previous point, e.g. after a restart from a
// checkpoint, or an overlapping poll) are left out of the result, so they are never written
// back twice. A series without a metric name (an expression such as histogram_quantile(...))
// is judged and reported as `unnamed_metric` (the query text, or a watch query's name).
std::vector<DetectedSeries> RunSeriesDetection(SeriesEngine& engine, size_t spec,
                                               std::vector<PrometheusSeries> series,
                                               std::string_view unnamed_metric);

// The write-back points of one detected series (see BuildAnomalyOutputSeries).
std::vector<AnomalyOutputPoint> ToOutputPoints(const DetectedSeries& series);

// The value of the `detector` label on written-back series: the spec's detector names
// joined by '+' ("robust_z+cusum").
std::string DetectorLabelFor(const SeriesSpec& spec);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SERIES_DETECTION_H_
