#ifndef INFERSCOPE_DETECT_DETECTOR_CONFIG_H_
#define INFERSCOPE_DETECT_DETECTOR_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/anomaly_tracker.h"
#include "detect/metric_spec.h"

namespace inferscope {

// What the detection engine runs: metric specs plus the incident lifecycle.
struct DetectorConfig {
  std::vector<MetricSpec> specs;
  AnomalyTracker::Options tracker;
};

// Reads a YAML detector configuration (format: docs/detectors.md, "Configuration file";
// complete example: examples/detectors.yaml). It starts from a base (`base: default`, the
// default; `naive`; or `none` = no metrics) and overrides what the file says:
//
//   base: default
//   tracker: {pending_for: 2m, resolve_after: 5m, cooldown: 15m,
//             fire_threshold: 0.5, resolve_threshold: 0.3}
//   metrics:
//     latency_p95_ms:                    # a base metric: only the keys given change
//       detectors: ["robust_z window=60 threshold=5 direction=above min_points=20"]
//       min_rel_deviation: 0.2
//     ttft_ms: {detectors: ["robust_z"], direction: above}   # a known metric, added
//     cost_usd: {enabled: false}         # removed
//     multivariate: {enabled: true, options: "threshold=0.75"}
//
// Metric keys: enabled, detectors (list of spec lines, detector_factory.h), direction,
// min_abs_deviation, min_rel_deviation, min_requests, per_model, fleet, kind, gate (`queue`
// or `none`), and for `multivariate` also options (ParseMultivariateSpec). A metric not in
// the base must be one of MetricExtractorNames() (or multivariate). Every detector line and
// the multivariate options are validated here, so a config that loads builds an engine.
//
// Errors are InvalidArgument "path:line:column: key.path: what" (1-based line and column of
// the offending node), for YAML syntax errors too. Unknown keys are errors.
Result<DetectorConfig> ParseDetectorConfig(std::string_view yaml, std::string_view path);
Result<DetectorConfig> LoadDetectorConfig(const std::string& path);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_DETECTOR_CONFIG_H_
