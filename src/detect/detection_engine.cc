#include "detect/detection_engine.h"

#include <fmt/format.h>

#include <cmath>

#include "detect/ensemble_detector.h"

namespace inferscope {

Result<std::unique_ptr<DetectionEngine>> DetectionEngine::Create(std::vector<MetricSpec> specs,
                                                                 AnomalyTracker::Options tracker) {
  std::vector<std::unique_ptr<SeriesDetector>> prototypes;
  for (const MetricSpec& s : specs) {
    if (s.extract == nullptr) {
      return Status::InvalidArgument(fmt::format("metric {}: no extractor", s.metric));
    }
    auto ensemble = EnsembleDetector::FromSpecs(s.detectors, s.ensemble);
    if (!ensemble.ok()) return ensemble.status().WithContext("metric " + s.metric);
    prototypes.push_back(std::move(ensemble).value());
  }
  return std::unique_ptr<DetectionEngine>(
      new DetectionEngine(std::move(specs), tracker, std::move(prototypes)));
}

DetectionEngine::DetectionEngine(std::vector<MetricSpec> specs, AnomalyTracker::Options tracker,
                                 std::vector<std::unique_ptr<SeriesDetector>> prototypes)
    : specs_(std::move(specs)), prototypes_(std::move(prototypes)), tracker_(tracker) {}

void DetectionEngine::Observe(const std::string& model, TimestampNs bucket_start,
                              const BucketStats& bucket) {
  const bool fleet = model == "*";
  for (size_t i = 0; i < specs_.size(); ++i) {
    const MetricSpec& spec = specs_[i];
    if (fleet ? !spec.fleet : !spec.per_model) continue;
    double value = spec.extract(bucket);
    if (bucket.requests < spec.min_requests) value = NAN;
    auto& detector = series_[{model, i}];
    if (!detector) detector = prototypes_[i]->CloneEmpty();
    if (std::isnan(value)) {
      (void)detector->Update(bucket_start, value);
      continue;
    }
    AnomalyTracker::Point p;
    p.ts = bucket_start;
    p.value = value;
    p.output = detector->Update(bucket_start, value);
    p.requests = bucket.requests;
    if (spec.gate != nullptr && !spec.gate(bucket)) p.output.score = 0;
    const auto* ensemble = static_cast<const EnsembleDetector*>(detector.get());
    std::string winner(ensemble->last_winner());
    tracker_.Observe(model, spec.metric, spec.kind, winner.empty() ? "ensemble" : winner, p);
  }
}

size_t DetectionEngine::StateBytes() const {
  size_t n = 0;
  for (const auto& [key, d] : series_) n += d->StateBytes();
  return n;
}

}  // namespace inferscope
