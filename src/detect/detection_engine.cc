#include "detect/detection_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/crc32c.h"
#include "detect/ensemble_detector.h"
#include "detect/incident_grouping.h"

namespace inferscope {

Result<std::unique_ptr<DetectionEngine>> DetectionEngine::Create(std::vector<MetricSpec> specs,
                                                                 AnomalyTracker::Options tracker) {
  std::vector<std::unique_ptr<SeriesDetector>> prototypes;
  std::vector<std::unique_ptr<MultivariateDetector>> multivariate;
  for (const MetricSpec& s : specs) {
    if (IsMultivariate(s)) {
      auto options = ParseMultivariateSpec(s.detectors[0]);
      if (!options.ok()) return options.status().WithContext("metric " + s.metric);
      prototypes.push_back(nullptr);
      multivariate.push_back(std::make_unique<MultivariateDetector>(*options));
      continue;
    }
    multivariate.push_back(nullptr);
    if (s.extract == nullptr) {
      return Status::InvalidArgument(fmt::format("metric {}: no extractor", s.metric));
    }
    auto ensemble = EnsembleDetector::FromSpecs(s.detectors, s.ensemble);
    if (!ensemble.ok()) return ensemble.status().WithContext("metric " + s.metric);
    prototypes.push_back(std::move(ensemble).value());
  }
  return std::unique_ptr<DetectionEngine>(new DetectionEngine(
      std::move(specs), tracker, std::move(prototypes), std::move(multivariate)));
}

DetectionEngine::DetectionEngine(
    std::vector<MetricSpec> specs, AnomalyTracker::Options tracker,
    std::vector<std::unique_ptr<SeriesDetector>> prototypes,
    std::vector<std::unique_ptr<MultivariateDetector>> multivariate_prototypes)
    : specs_(std::move(specs)),
      prototypes_(std::move(prototypes)),
      multivariate_prototypes_(std::move(multivariate_prototypes)),
      tracker_(tracker) {}

void DetectionEngine::Observe(const std::string& model, TimestampNs bucket_start,
                              const BucketStats& bucket) {
  const bool fleet = model == "*";
  for (size_t i = 0; i < specs_.size(); ++i) {
    const MetricSpec& spec = specs_[i];
    if (fleet ? !spec.fleet : !spec.per_model) continue;
    if (multivariate_prototypes_[i]) {
      if (bucket.requests < spec.min_requests || bucket.requests == 0) continue;
      auto& detector = multivariate_[{model, i}];
      if (!detector) detector = multivariate_prototypes_[i]->CloneEmpty();
      AnomalyTracker::Point p;
      p.ts = bucket_start;
      p.output = detector->Update(bucket_start, bucket);
      p.value = detector->last_isolation_score();
      p.requests = bucket.requests;
      p.details = detector->details();
      if (std::isnan(p.value)) continue;  // no feature in the bucket, or learning
      tracker_.Observe(model, spec.metric, spec.kind, "isolation_forest", p);
      continue;
    }
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
    if (spec.min_events > 0 && std::isfinite(p.output.expected) &&
        std::fabs(value - p.output.expected) * static_cast<double>(bucket.requests) <
            spec.min_events) {
      p.output.score = 0;
    }
    const auto* ensemble = static_cast<const EnsembleDetector*>(detector.get());
    std::string winner(ensemble->last_winner());
    tracker_.Observe(model, spec.metric, spec.kind, winner.empty() ? "ensemble" : winner, p);
  }
}

namespace {
constexpr char kCheckpointMagic[8] = {'I', 'S', 'C', 'K', 'P', 'T', '0', '1'};
// 2: series entries may hold a multivariate detector's state (spec index of a
// multivariate spec). Version 1 checkpoints (no such entries) still load.
// 3: each spec is written as its identity (SpecIdentity), and loading matches specs by it:
// series of specs no longer configured are dropped, specs new to the configuration start
// learning, the others resume. Versions 1 and 2 (metric names only) must list exactly the
// configured metrics, in order.
constexpr uint32_t kCheckpointVersion = 3;

// What a detector state belongs to: the metric, its kind and its detector lines (a state
// saved under other detector settings does not fit).
std::string SpecIdentity(const MetricSpec& spec) {
  std::string id = spec.metric;
  id += '|';
  id += AnomalyKindName(spec.kind);
  for (const std::string& d : spec.detectors) {
    id += '|';
    id += d;
  }
  return id;
}

}  // namespace

std::vector<Anomaly> DetectionEngine::Anomalies() const {
  std::vector<Anomaly> anomalies = tracker_.Incidents();
  AssignIncidents(anomalies, kIncidentGapNs);
  return anomalies;
}

std::string DetectionEngine::SaveCheckpoint() const {
  std::string out;
  StateWriter w(&out);
  w.Bytes(kCheckpointMagic, sizeof(kCheckpointMagic));
  w.U32(kCheckpointVersion);
  w.U32(static_cast<uint32_t>(specs_.size()));
  for (const MetricSpec& s : specs_) w.String(SpecIdentity(s));
  w.U32(static_cast<uint32_t>(series_.size() + multivariate_.size()));
  std::string state;
  auto put = [&](const SeriesId& key, const auto& detector) {
    w.String(key.first);
    w.U32(static_cast<uint32_t>(key.second));
    state.clear();
    StateWriter sw(&state);
    detector->Save(sw);
    w.String(state);
  };
  for (const auto& [key, detector] : series_) put(key, detector);
  for (const auto& [key, detector] : multivariate_) put(key, detector);
  w.U32(Crc32c(out.data(), out.size()));
  return out;
}

Status DetectionEngine::LoadCheckpoint(std::string_view bytes) {
  if (bytes.size() < sizeof(kCheckpointMagic) + 4 + 4) {
    return Status::DataLoss("checkpoint is truncated");
  }
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32c(bytes.data(), bytes.size() - 4) != stored_crc) {
    return Status::DataLoss("checkpoint checksum mismatch (corrupt or truncated)");
  }
  StateReader r(bytes.data(), bytes.size() - 4);
  char magic[sizeof(kCheckpointMagic)];
  INFERSCOPE_RETURN_IF_ERROR(r.Bytes(magic, sizeof(magic)));
  if (std::memcmp(magic, kCheckpointMagic, sizeof(magic)) != 0) {
    return Status::InvalidArgument("not an inferscope detector checkpoint");
  }
  uint32_t version = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&version));
  if (version < 1 || version > kCheckpointVersion) {
    return Status::InvalidArgument(
        fmt::format("checkpoint format version {} is not {}", version, kCheckpointVersion));
  }
  uint32_t n_specs = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&n_specs));
  if (version < 3 && n_specs != specs_.size()) {
    return Status::InvalidArgument("checkpoint was written with other metric specs");
  }
  if (n_specs > r.remaining()) return Status::DataLoss("checkpoint spec count is corrupt");
  // The configured spec index of each checkpoint spec, or -1 when it is no longer configured.
  std::vector<int> spec_map(n_specs, -1);
  for (uint32_t i = 0; i < n_specs; ++i) {
    std::string name;
    INFERSCOPE_RETURN_IF_ERROR(r.String(&name));
    if (version < 3) {
      if (name != specs_[i].metric) {
        return Status::InvalidArgument(
            fmt::format("checkpoint metric '{}' where '{}' was expected", name, specs_[i].metric));
      }
      spec_map[i] = static_cast<int>(i);
      continue;
    }
    for (size_t k = 0; k < specs_.size(); ++k) {
      if (SpecIdentity(specs_[k]) == name) {
        spec_map[i] = static_cast<int>(k);
        break;
      }
    }
  }
  if (version >= 3 &&
      std::count(spec_map.begin(), spec_map.end(), -1) == static_cast<std::ptrdiff_t>(n_specs) &&
      n_specs != 0) {
    return Status::InvalidArgument("checkpoint was written with other metric specs");
  }
  uint32_t n_series = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&n_series));
  std::map<SeriesId, std::unique_ptr<SeriesDetector>> loaded;
  std::map<SeriesId, std::unique_ptr<MultivariateDetector>> loaded_multivariate;
  for (uint32_t i = 0; i < n_series; ++i) {
    std::string model, state;
    uint32_t spec = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.String(&model));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&spec));
    INFERSCOPE_RETURN_IF_ERROR(r.String(&state));
    if (spec >= n_specs) return Status::DataLoss("checkpoint names an unknown metric");
    if (spec_map[spec] < 0) continue;  // a spec no longer configured: its state is dropped
    spec = static_cast<uint32_t>(spec_map[spec]);
    StateReader sr(state.data(), state.size());
    Status st;
    if (multivariate_prototypes_[spec]) {
      auto detector = multivariate_prototypes_[spec]->CloneEmpty();
      st = detector->Load(sr);
      loaded_multivariate[{model, spec}] = std::move(detector);
    } else {
      auto detector = prototypes_[spec]->CloneEmpty();
      st = detector->Load(sr);
      loaded[{model, spec}] = std::move(detector);
    }
    if (st.ok() && sr.remaining() != 0) st = Status::DataLoss("detector state has trailing bytes");
    if (!st.ok()) {
      return st.WithContext(fmt::format("checkpoint of {}/{}", model, specs_[spec].metric));
    }
  }
  if (r.remaining() != 0) return Status::DataLoss("checkpoint has trailing bytes");
  series_ = std::move(loaded);
  multivariate_ = std::move(loaded_multivariate);
  return Status::Ok();
}

size_t DetectionEngine::StateBytes() const {
  size_t n = 0;
  for (const auto& [key, d] : series_) n += d->StateBytes();
  for (const auto& [key, d] : multivariate_) n += d->StateBytes();
  return n;
}

}  // namespace inferscope
