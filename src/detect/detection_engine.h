#ifndef INFERSCOPE_DETECT_DETECTION_ENGINE_H_
#define INFERSCOPE_DETECT_DETECTION_ENGINE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "detect/metric_spec.h"
#include "detect/multivariate_detector.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// The detection engine: per model and metric a detector ensemble fed one value per closed
// rollup bucket, and one AnomalyTracker turning scores into incidents.
//
// A multivariate spec (IsMultivariate, metric "multivariate") gets one MultivariateDetector
// per model instead of an ensemble: the isolation forest over the bucket's feature vector.
//
// Buckets of one model must arrive in time order, each once; gaps (no requests) are the
// caller's to feed as empty buckets so traffic drops are seen. Memory: one ensemble per
// (model, metric) seen (a few KiB), plus ~400 KiB per model for a multivariate spec; see
// StateBytes(). Not thread-safe.
class DetectionEngine {
 public:
  // Validates the specs by building each metric's detectors once (and parsing a
  // multivariate spec's options).
  static Result<std::unique_ptr<DetectionEngine>> Create(std::vector<MetricSpec> specs,
                                                         AnomalyTracker::Options tracker = {});

  // One closed bucket of `model` ("*" for the fleet-wide merge), starting at bucket_start.
  void Observe(const std::string& model, TimestampNs bucket_start, const BucketStats& bucket);
  // Resolves incidents of series that have been silent since before `now` - resolve_after.
  void AdvanceTo(TimestampNs now) { tracker_.AdvanceTo(now); }

  // The tracker's incidents in start order, grouped into incidents across metrics
  // (Anomaly::incident, AssignIncidents with kIncidentGapNs).
  std::vector<Anomaly> Anomalies() const;
  const std::vector<MetricSpec>& specs() const { return specs_; }

  // Checkpoint of every series' detector state (baselines, learning progress), so a restart
  // keeps what was learnt; format in docs/format/detector-state.md (versioned, CRC-32C
  // checked). Open incidents are not part of it: they are persisted by the store.
  std::string SaveCheckpoint() const;
  // Replaces the detectors' state with a checkpoint's. Specs are matched by identity
  // (metric, kind and detector lines): series of specs the checkpoint has and the engine
  // does not are dropped, specs new to the engine start learning (so adding a metric to the
  // configuration keeps the others' baselines). DataLoss for a corrupt or truncated
  // checkpoint, InvalidArgument when no spec matches (or, for format versions 1 and 2,
  // which store names only, when the metric list differs) or for an unknown format
  // version; on any error the engine is left as it was.
  Status LoadCheckpoint(std::string_view bytes);

  size_t series_count() const { return series_.size() + multivariate_.size(); }
  size_t StateBytes() const;

 private:
  using SeriesId = std::pair<std::string, size_t>;  // (model, spec index)

  DetectionEngine(std::vector<MetricSpec> specs, AnomalyTracker::Options tracker,
                  std::vector<std::unique_ptr<SeriesDetector>> prototypes,
                  std::vector<std::unique_ptr<MultivariateDetector>> multivariate_prototypes);

  std::vector<MetricSpec> specs_;
  // One per spec: an ensemble, or (multivariate specs) null with the multivariate prototype
  // at the same index.
  std::vector<std::unique_ptr<SeriesDetector>> prototypes_;
  std::vector<std::unique_ptr<MultivariateDetector>> multivariate_prototypes_;
  std::map<SeriesId, std::unique_ptr<SeriesDetector>> series_;
  std::map<SeriesId, std::unique_ptr<MultivariateDetector>> multivariate_;
  AnomalyTracker tracker_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_DETECTION_ENGINE_H_
