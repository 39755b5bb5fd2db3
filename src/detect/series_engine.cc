#include "detect/series_engine.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "core/crc32c.h"
#include "detect/detector_common.h"
#include "detect/incident_grouping.h"

namespace inferscope {
namespace {

constexpr char kMagic[8] = {'I', 'S', 'S', 'E', 'R', 'I', 'E', '1'};
constexpr uint32_t kVersion = 1;

}  // namespace

Result<std::unique_ptr<SeriesEngine>> SeriesEngine::Create(std::vector<SeriesSpec> specs,
                                                           AnomalyTracker::Options tracker) {
  std::vector<std::unique_ptr<EnsembleDetector>> prototypes;
  for (const SeriesSpec& s : specs) {
    auto ensemble = EnsembleDetector::FromSpecs(s.detectors, s.ensemble);
    if (!ensemble.ok()) return ensemble.status().WithContext("series spec " + s.name);
    prototypes.push_back(std::move(ensemble).value());
  }
  return std::unique_ptr<SeriesEngine>(
      new SeriesEngine(std::move(specs), tracker, std::move(prototypes)));
}

SeriesEngine::SeriesEngine(std::vector<SeriesSpec> specs, AnomalyTracker::Options tracker,
                           std::vector<std::unique_ptr<EnsembleDetector>> prototypes)
    : specs_(std::move(specs)), prototypes_(std::move(prototypes)), tracker_(tracker) {}

SeriesEngine::Series& SeriesEngine::SeriesFor(size_t spec, const SeriesKey& key) {
  auto [it, inserted] = series_.try_emplace(Id(spec, key));
  Series& s = it->second;
  if (inserted) {
    s.detector.reset(static_cast<EnsembleDetector*>(prototypes_[spec]->CloneEmpty().release()));
    s.id = key.ToString();
    keys_.try_emplace(s.id, key);
  }
  return s;
}

DetectorOutput SeriesEngine::Observe(size_t spec, const SeriesKey& key, TimestampNs ts,
                                     double value) {
  Series& s = SeriesFor(spec, key);
  if (s.any && ts <= s.last_ts) {
    ++ignored_points_;
    return QuietOutput(s.detector->Update(ts, std::nan("")).learning);
  }
  s.any = true;
  s.last_ts = ts;
  DetectorOutput out = s.detector->Update(ts, value);
  if (std::isnan(value)) return out;
  AnomalyTracker::Point p;
  p.ts = ts;
  p.value = value;
  p.output = out;
  std::string winner(s.detector->last_winner());
  tracker_.Observe(s.id, key.metric(), specs_[spec].kind, winner.empty() ? "ensemble" : winner, p);
  return out;
}

std::vector<DetectorOutput> SeriesEngine::ObserveAll(size_t spec, const SeriesKey& key,
                                                     std::span<const Sample> samples) {
  std::vector<DetectorOutput> out;
  out.reserve(samples.size());
  for (const Sample& x : samples) out.push_back(Observe(spec, key, x.timestamp_ns, x.value));
  return out;
}

std::vector<Anomaly> SeriesEngine::Anomalies() const {
  std::vector<Anomaly> anomalies = tracker_.Incidents();
  for (Anomaly& a : anomalies) {
    auto it = keys_.find(a.model);
    if (it == keys_.end()) continue;
    const SeriesKey& key = it->second;
    a.labels = key.labels();
    std::string_view model = key.Label("model");
    if (!model.empty()) a.model = std::string(model);
  }
  AssignIncidents(anomalies, kIncidentGapNs);
  return anomalies;
}

size_t SeriesEngine::StateBytes() const {
  size_t n = 0;
  for (const auto& [id, s] : series_) {
    n += s.detector->StateBytes() + sizeof(s) + s.id.capacity();
  }
  return n;
}

std::string SeriesEngine::SaveCheckpoint() const {
  std::string out;
  StateWriter w(&out);
  w.Bytes(kMagic, sizeof(kMagic));
  w.U32(kVersion);
  w.U32(static_cast<uint32_t>(specs_.size()));
  for (const SeriesSpec& s : specs_) w.String(s.name);
  w.U32(static_cast<uint32_t>(series_.size()));
  std::string state;
  for (const auto& [id, s] : series_) {
    w.U32(static_cast<uint32_t>(id.first));
    w.String(id.second.metric());
    w.U32(static_cast<uint32_t>(id.second.labels().size()));
    for (const auto& [name, value] : id.second.labels()) {
      w.String(name);
      w.String(value);
    }
    w.U8(s.any ? 1 : 0);
    w.I64(s.last_ts);
    state.clear();
    StateWriter sw(&state);
    s.detector->Save(sw);
    w.String(state);
  }
  w.U32(Crc32c(out.data(), out.size()));
  return out;
}

Status SeriesEngine::LoadCheckpoint(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) + 4 + 4) return Status::DataLoss("checkpoint is truncated");
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32c(bytes.data(), bytes.size() - 4) != stored_crc) {
    return Status::DataLoss("checkpoint checksum mismatch (corrupt or truncated)");
  }
  StateReader r(bytes.data(), bytes.size() - 4);
  char magic[sizeof(kMagic)];
  INFERSCOPE_RETURN_IF_ERROR(r.Bytes(magic, sizeof(magic)));
  if (std::memcmp(magic, kMagic, sizeof(magic)) != 0) {
    return Status::InvalidArgument("not an inferscope series engine checkpoint");
  }
  uint32_t version = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&version));
  if (version != kVersion) {
    return Status::InvalidArgument(
        fmt::format("checkpoint format version {} is not {}", version, kVersion));
  }
  uint32_t n_specs = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&n_specs));
  if (n_specs != specs_.size()) {
    return Status::InvalidArgument("checkpoint was written with other series specs");
  }
  for (const SeriesSpec& s : specs_) {
    std::string name;
    INFERSCOPE_RETURN_IF_ERROR(r.String(&name));
    if (name != s.name) {
      return Status::InvalidArgument(
          fmt::format("checkpoint spec '{}' where '{}' was expected", name, s.name));
    }
  }
  uint32_t n_series = 0;
  INFERSCOPE_RETURN_IF_ERROR(r.U32(&n_series));
  std::map<Id, Series> loaded;
  std::map<std::string, SeriesKey> keys;
  for (uint32_t i = 0; i < n_series; ++i) {
    uint32_t spec = 0, n_labels = 0;
    std::string metric, state;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&spec));
    if (spec >= specs_.size()) return Status::DataLoss("checkpoint names an unknown spec");
    INFERSCOPE_RETURN_IF_ERROR(r.String(&metric));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&n_labels));
    if (n_labels > r.remaining() / 8) return Status::DataLoss("checkpoint label count is corrupt");
    std::vector<std::pair<std::string, std::string>> labels(n_labels);
    for (auto& [name, value] : labels) {
      INFERSCOPE_RETURN_IF_ERROR(r.String(&name));
      INFERSCOPE_RETURN_IF_ERROR(r.String(&value));
    }
    uint8_t any = 0;
    Series s;
    INFERSCOPE_RETURN_IF_ERROR(r.U8(&any));
    INFERSCOPE_RETURN_IF_ERROR(r.I64(&s.last_ts));
    s.any = any != 0;
    INFERSCOPE_RETURN_IF_ERROR(r.String(&state));
    SeriesKey key(std::move(metric), std::move(labels));
    s.detector.reset(static_cast<EnsembleDetector*>(prototypes_[spec]->CloneEmpty().release()));
    StateReader sr(state.data(), state.size());
    Status st = s.detector->Load(sr);
    if (st.ok() && sr.remaining() != 0) st = Status::DataLoss("detector state has trailing bytes");
    if (!st.ok()) {
      return st.WithContext(
          fmt::format("checkpoint of {} ({})", key.ToString(), specs_[spec].name));
    }
    s.id = key.ToString();
    keys.try_emplace(s.id, key);
    if (!loaded.try_emplace(Id(spec, std::move(key)), std::move(s)).second) {
      return Status::DataLoss("checkpoint repeats a series");
    }
  }
  if (r.remaining() != 0) return Status::DataLoss("checkpoint has trailing bytes");
  series_ = std::move(loaded);
  keys_.merge(keys);  // keeps the labels of incidents opened before the load
  return Status::Ok();
}

}  // namespace inferscope
