#ifndef INFERSCOPE_DETECT_MULTIVARIATE_DETECTOR_H_
#define INFERSCOPE_DETECT_MULTIVARIATE_DETECTOR_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "detect/isolation_forest.h"
#include "detect/series_detector.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// The per-bucket features the multivariate detector looks at together, in this order:
// latency_p95_ms, error_rate, gpu_util (mean, percent), queue_depth (mean), batch_fill_ratio
// (mean), tokens_per_request (mean input + mean output tokens). NaN = not in the bucket.
inline constexpr int kMultivariateFeatures = 6;
using FeatureVector = std::array<double, kMultivariateFeatures>;
std::string_view MultivariateFeatureName(int feature);
FeatureVector MultivariateFeatures(const BucketStats& bucket);

struct MultivariateOptions {
  uint32_t window = 720;        // training buckets: the forest is fit on the latest `window`
  uint32_t min_train = 120;     // buckets before the first fit (learning, score 0, until then)
  uint32_t retrain_every = 60;  // buckets between refits
  uint32_t trees = 64;          // isolation forest size
  uint32_t sample_size = 128;   // rows per tree
  uint64_t seed = 1;            // fit k uses seed + k: runs and restarts reproduce exactly
  // Isolation score (mean path based, ~0.4-0.55 for ordinary rows) at which the detector
  // score is 0.5. ratio = (s - 0.5) / (threshold - 0.5), then ScoreFromRatio.
  double threshold = 0.75;
  // The point also needs one feature at least this many robust sigmas from its median
  // (a combination of small moves is not an incident on its own); 0 = no such gate.
  double min_feature_z = 6;

  Status Validate() const;
};

// Parses "isolation_forest window=720 min_train=120 retrain_every=60 trees=64
// sample_size=128 seed=1 threshold=0.7 min_feature_z=4" (every option optional; the name
// may be omitted). Unknown keys and bad values are InvalidArgument naming them.
Result<MultivariateOptions> ParseMultivariateSpec(std::string_view spec);

// One model's multivariate detector: an isolation forest over its per-bucket feature vectors
// (MultivariateFeatures), each feature standardised robustly ((x - median) / (1.4826 MAD),
// the scale floored per feature, see the .cc) with the statistics of the training window.
//
// Lifecycle: rows go into a ring of window + retrain_every buckets. Learning until
// `min_train` non-NaN rows have been seen, then fit on the latest `window` rows; refit every
// `retrain_every` rows. Each row is scored by the forest fitted on earlier rows, then joins
// the ring (strictly causal). A row whose features are all NaN is skipped.
//
// Output (DetectorOutput): score in [0, 1] with 0.5 = isolation score `threshold`;
// expected = the median isolation score of the training rows, lower = 0, upper = threshold;
// direction above. details() names the features that deviate most for the last row.
//
// Memory: ring (window + retrain_every) x 6 x 8 B (37 KiB by default) + the forest, trees x
// (2 sample_size - 1) x 20 B at most (326 KiB by default); StateBytes() ~392 KiB, one per
// model (not per metric). Cost: trees x log2(sample_size) node visits per bucket and a refit
// (grow + score 128 training rows for `expected`) every retrain_every buckets: ~130 ms per
// model per 2 days of minutes (docs/detectors.md).
//
// Checkpoint (Save/Load, tag `mvf1`): the options that shape the state, the counters and the
// ring; the forest is not stored but refit on Load from the ring rows it was fit on (the
// ring keeps them until the next refit), with the same seed, so outputs continue
// bit-identically. Not thread-safe.
class MultivariateDetector {
 public:
  explicit MultivariateDetector(MultivariateOptions options = {});

  DetectorOutput Update(TimestampNs ts, std::span<const double, kMultivariateFeatures> features);
  DetectorOutput Update(TimestampNs ts, const BucketStats& bucket) {
    FeatureVector f = MultivariateFeatures(bucket);
    return Update(ts, f);
  }

  // For the last row that was scored: its isolation score (NaN while learning) and the
  // features that deviate most, e.g. "latency_p95_ms z=+9.1 (930 vs median 240), error_rate
  // z=+5.0 (0.21 vs median 0.01)" (those with |z| >= max(2, min_feature_z / 2), largest
  // first, at most 3; filled only when the score is > 0, else "").
  double last_isolation_score() const { return last_isolation_; }
  const std::string& details() const { return details_; }
  // Robust z of each feature for the last row (NaN where missing or while learning).
  const FeatureVector& last_z() const { return last_z_; }

  bool learning() const { return fits_ == 0; }
  uint64_t fits() const { return fits_; }
  const MultivariateOptions& options() const { return options_; }

  size_t StateBytes() const;
  void Save(StateWriter& out) const;
  // InvalidArgument for state written with another window/retrain_every, DataLoss when
  // truncated; on error the detector is left empty and usable.
  Status Load(StateReader& in);
  std::unique_ptr<MultivariateDetector> CloneEmpty() const;

 private:
  size_t capacity() const { return options_.window + options_.retrain_every; }
  // Row i of the ring, 0 = oldest.
  const double* Row(size_t i) const;
  // Fits on the latest min(window, rows) rows, leaving out the newest `skip_newest`.
  void Fit(size_t skip_newest);
  void Reset();

  MultivariateOptions options_;
  std::vector<double> ring_;  // capacity x kMultivariateFeatures
  size_t head_ = 0;           // next slot to write
  size_t count_ = 0;          // rows in the ring
  uint64_t seen_ = 0;         // rows ever added
  uint64_t fits_ = 0;
  uint32_t since_fit_ = 0;  // rows added since the last fit
  IsolationForest forest_;
  FeatureVector median_{};
  FeatureVector scale_{};
  std::array<bool, kMultivariateFeatures> active_{};
  double expected_ = 0;  // median isolation score of the training rows
  std::vector<double> scratch_;

  double last_isolation_;
  FeatureVector last_z_;
  std::string details_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_MULTIVARIATE_DETECTOR_H_
