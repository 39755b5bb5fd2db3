#include "detect/nab_detector.h"

#include "detect/likelihood_detector.h"

namespace inferscope {

std::unique_ptr<SeriesDetector> MakeDefaultUnivariateDetector() {
  // The defaults of LikelihoodOptions are this configuration (docs/nab.md, "Results").
  const LikelihoodOptions options;
  // The options are constants covered by tests: failing here is a bug.
  if (!options.Validate().ok()) return nullptr;
  return std::make_unique<LikelihoodDetector>(options);
}

}  // namespace inferscope
