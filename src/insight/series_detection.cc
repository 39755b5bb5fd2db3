#include "insight/series_detection.h"

#include <utility>

namespace inferscope {

std::vector<DetectedSeries> RunSeriesDetection(SeriesEngine& engine, size_t spec,
                                               std::vector<PrometheusSeries> series,
                                               std::string_view unnamed_metric) {
  std::vector<DetectedSeries> out;
  out.reserve(series.size());
  for (PrometheusSeries& s : series) {
    DetectedSeries d;
    d.key = s.key.metric().empty() ? SeriesKey(std::string(unnamed_metric), s.key.labels())
                                   : std::move(s.key);
    d.samples.reserve(s.samples.size());
    d.outputs.reserve(s.samples.size());
    for (const Sample& x : s.samples) {
      const uint64_t ignored = engine.ignored_points();
      DetectorOutput o = engine.Observe(spec, d.key, x.timestamp_ns, x.value);
      if (engine.ignored_points() != ignored) continue;
      d.samples.push_back(x);
      d.outputs.push_back(o);
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<AnomalyOutputPoint> ToOutputPoints(const DetectedSeries& series) {
  std::vector<AnomalyOutputPoint> points;
  points.reserve(series.samples.size());
  for (size_t i = 0; i < series.samples.size(); ++i) {
    const DetectorOutput& o = series.outputs[i];
    points.push_back(
        {series.samples[i].timestamp_ns, o.learning ? 0.0 : o.score, o.expected, o.lower, o.upper});
  }
  return points;
}

std::string DetectorLabelFor(const SeriesSpec& spec) {
  std::string label;
  for (const std::string& line : spec.detectors) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    const size_t end = line.find_first_of(" \t", start);
    if (!label.empty()) label += '+';
    label += line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return label.empty() ? "ensemble" : label;
}

}  // namespace inferscope
