#ifndef INFERSCOPE_DETECT_NAB_DETECTOR_H_
#define INFERSCOPE_DETECT_NAB_DETECTOR_H_

#include <memory>

#include "detect/series_detector.h"

namespace inferscope {

// The default detector for a univariate series of unknown meaning and scale (what
// `inferscope nab` runs on every NAB file): a LikelihoodDetector (value / difference /
// seasonal surprise, anomaly likelihood, level shift, suppression of repeated detections,
// damping of episodes that recur daily or as an exact periodic train, hold-off) whose score in
// [0, 1) ranks points by how anomalous they are. Strictly causal. Configuration and measured
// scores: docs/nab.md.
std::unique_ptr<SeriesDetector> MakeDefaultUnivariateDetector();

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_NAB_DETECTOR_H_
