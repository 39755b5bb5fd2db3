#include "ingest/prometheus/anomaly_output_series.h"

#include <cmath>
#include <string>
#include <utility>

namespace inferscope {

std::vector<PrometheusSeries> BuildAnomalyOutputSeries(
    const SeriesKey& input, std::string_view detector,
    const std::vector<AnomalyOutputPoint>& points) {
  std::vector<std::pair<std::string, std::string>> labels;
  labels.reserve(input.labels().size() + 2);
  for (const auto& [name, value] : input.labels()) {
    if (name == kDetectorLabel || name == kSourceMetricLabel) {
      labels.emplace_back("exported_" + name, value);
    } else {
      labels.emplace_back(name, value);
    }
  }
  labels.emplace_back(std::string(kDetectorLabel), std::string(detector));
  if (!input.metric().empty()) {
    labels.emplace_back(std::string(kSourceMetricLabel), input.metric());
  }

  constexpr std::string_view kNames[] = {kAnomalyScoreMetric, kExpectedMetric, kExpectedLowerMetric,
                                         kExpectedUpperMetric};
  std::vector<PrometheusSeries> out;
  out.reserve(4);
  for (std::string_view name : kNames) {
    PrometheusSeries s;
    s.key = SeriesKey(std::string(name), labels);
    s.samples.reserve(points.size());
    out.push_back(std::move(s));
  }
  for (const AnomalyOutputPoint& p : points) {
    const double values[] = {p.score, p.expected, p.lower, p.upper};
    for (size_t i = 0; i < 4; ++i) {
      if (std::isfinite(values[i])) out[i].samples.push_back(Sample{p.timestamp_ns, values[i]});
    }
  }
  return out;
}

}  // namespace inferscope
