#include "detect/nab_detector.h"

#include "detect/ensemble_detector.h"

namespace inferscope {

std::unique_ptr<SeriesDetector> MakeDefaultUnivariateDetector() {
  EnsembleOptions options;
  options.direction = Direction::kBoth;
  auto ensemble = EnsembleDetector::FromSpecs(
      {"robust_z window=128 threshold=4 min_points=60", "cusum min_points=60"}, options);
  // The specs are constants covered by tests: failing here is a bug.
  return ensemble.ok() ? std::move(ensemble).value() : nullptr;
}

}  // namespace inferscope
