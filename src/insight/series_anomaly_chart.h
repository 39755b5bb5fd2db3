#ifndef INFERSCOPE_INSIGHT_SERIES_ANOMALY_CHART_H_
#define INFERSCOPE_INSIGHT_SERIES_ANOMALY_CHART_H_

#include <cstddef>
#include <string>
#include <vector>

#include "detect/anomaly.h"
#include "insight/series_detection.h"

namespace inferscope {

// Which series a chart shows: the ones with anomalies first (most severe first), then the
// others in input order, at most `max_panels`. Returns indexes into `series`.
std::vector<size_t> PickChartSeries(const std::vector<DetectedSeries>& series,
                                    const std::vector<Anomaly>& anomalies, size_t max_panels);

// One self-contained SVG with one panel per picked series: the series (blue), the expected
// value (grey) and the expected band's edges (light grey), the anomalous points (red
// markers, hover text with time, value and expected) and each panel titled with the series'
// labels. Uses SvgChart, so it renders in any browser and in Markdown viewers.
std::string RenderSeriesAnomalySvg(const std::vector<DetectedSeries>& series,
                                   const std::vector<Anomaly>& anomalies, size_t max_panels = 6);

// The same picture as a PNG (RGB, 8 bit, zlib-compressed), drawn by a small rasteriser of
// our own so no external tool is needed: per panel the expected band filled light grey, the
// expected value dark grey, the series blue, anomaly windows shaded pink and anomalous points
// red. No text (the panels are in the SVG's order; titles are in the report). Width 900 px,
// 220 px per panel.
std::string RenderSeriesAnomalyPng(const std::vector<DetectedSeries>& series,
                                   const std::vector<Anomaly>& anomalies, size_t max_panels = 6);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SERIES_ANOMALY_CHART_H_
