#ifndef INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_
#define INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_

#include "detect/anomaly.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// Writes an anomaly's plain-language text: `summary` (what, observed vs expected, since
// when, how long, how many requests), `cause` (which serving dimensions moved most between
// the anomaly window and the baseline before it: batch size and fill, queue depth, GPU
// utilisation, memory, input/output tokens, TTFT, cache hits, error rate, load) and
// `recommendation` (what an operator would do about that kind of incident with that cause).
//
// `window` aggregates the incident's buckets; `baseline` the same model's buckets in the
// hour (or so) before it. Stateless; thread-safe.
class AnomalyExplainer {
 public:
  void Explain(const BucketStats& window, const BucketStats& baseline, Anomaly* anomaly) const;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_
