#ifndef INFERSCOPE_INSIGHT_SERIES_ANOMALY_EXPLAINER_H_
#define INFERSCOPE_INSIGHT_SERIES_ANOMALY_EXPLAINER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detect/anomaly.h"

namespace inferscope {

// What a raw metric name (as Prometheus exports it) measures, guessed from the name:
// vLLM, Triton, TGI, DCGM and generic conventions ("..._seconds", "error", "queue", ...).
enum class SeriesMetricFamily {
  kLatency,     // TTFT, end-to-end latency, inter-token latency, queue time
  kErrors,      // error/failure counts or ratios
  kQueue,       // waiting/pending requests, queue size
  kKvCache,     // KV-cache usage
  kGpuUtil,     // GPU utilisation (DCGM_FI_DEV_GPU_UTIL, ...)
  kGpuMemory,   // framebuffer / GPU memory
  kBatch,       // batch size / occupancy
  kThroughput,  // requests or tokens per second
  kOther,
};

SeriesMetricFamily GuessSeriesMetricFamily(std::string_view metric_or_query);

// Writes summary, cause and recommendation of an anomaly found by SeriesEngine on a raw
// labelled series (there are no request-level dimensions to compare, unlike
// AnomalyExplainer):
//   summary: "<metric> of {labels} rose to V against expected E (band L..U) since T, for D;
//             peak at P."
//   cause: what such a deviation of that metric family usually means;
//   recommendation: what an operator checks first, by metric family and direction.
// `metric_hint` names the series when the key has no metric name (a PromQL expression
// result, e.g. histogram_quantile(...)): the query text or the watch query's name. Only
// empty fields are filled. Stateless; thread-safe.
class SeriesAnomalyExplainer {
 public:
  void Explain(std::string_view metric_hint, Anomaly* anomaly) const;
};

// {a="1", b="2"} (label text as PromQL writes it), "{}" when there are none.
std::string FormatSeriesLabels(const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SERIES_ANOMALY_EXPLAINER_H_
