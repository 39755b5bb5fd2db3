#ifndef INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_
#define INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_

#include <span>

#include "detect/anomaly.h"
#include "insight/share_shift.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// Writes an anomaly's plain-language text: `summary` (what, observed vs expected, since
// when, how long, how many requests), `cause` (which serving dimensions moved most between
// the anomaly window and the baseline before it: batch size and fill, queue depth, GPU
// utilisation, memory, input/output tokens, TTFT p95 (the mean for buckets without a TTFT
// sketch), cache hits, error rate, load) and
// `recommendation` (what an operator would do about that kind of incident with that cause).
//
// `window` aggregates the incident's buckets; `baseline` the same model's buckets in the
// hour (or so) before it. `shifts` (largest first, may be empty) are the categorical values
// (users, task types, cache tiers, services) that gained share of requests or of cost over
// the same periods: the first few are appended to `cause`, and a cost spike driven by one
// user recommends rate-limiting that user. Stateless; thread-safe.
class AnomalyExplainer {
 public:
  void Explain(const BucketStats& window, const BucketStats& baseline, Anomaly* anomaly,
               std::span<const ShareShift> shifts = {}) const;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_ANOMALY_EXPLAINER_H_
