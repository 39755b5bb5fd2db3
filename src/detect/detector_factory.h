#ifndef INFERSCOPE_DETECT_DETECTOR_FACTORY_H_
#define INFERSCOPE_DETECT_DETECTOR_FACTORY_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "detect/series_detector.h"

namespace inferscope {

// One `key=value` option of a detector, as written in configs and scenario files.
struct DetectorParam {
  std::string key;
  std::string value;
};

// Builds a detector by its stable name ("zscore", "robust_z", "iqr", "band", "ewma_chart",
// "cusum", "drift", "seasonal") from snake_case options named like the fields of its options
// struct (docs/detectors.md). Values: numbers; direction = above|below|both; durations as
// 30s / 5m / 1h / 1d / 1w; lists comma-separated. Unknown names, unknown keys and invalid
// values are InvalidArgument naming the culprit.
Result<std::unique_ptr<SeriesDetector>> MakeDetector(std::string_view name,
                                                     std::span<const DetectorParam> params);

// The same from one line: "robust_z window=64 threshold=3.5".
Result<std::unique_ptr<SeriesDetector>> ParseDetectorSpec(std::string_view spec);

// All names MakeDetector knows.
std::vector<std::string_view> DetectorNames();

// "250ms", "30s", "5m", "1h", "1d", "1w" (a bare number is seconds) -> ns; the same rules as
// core/time_format.h ParseDuration, which it calls.
Result<int64_t> ParseDurationNs(std::string_view text);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_DETECTOR_FACTORY_H_
