#ifndef INFERSCOPE_DETECT_SERIES_ENGINE_H_
#define INFERSCOPE_DETECT_SERIES_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/series_key.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "detect/ensemble_detector.h"

namespace inferscope {

// How one family of raw series is judged: like a MetricSpec without the bucket extraction
// (the value is given), so the same detector vocabulary, side and floors apply.
struct SeriesSpec {
  std::string name;  // names the spec in errors and checkpoints ("p95_latency")
  AnomalyKind kind = AnomalyKind::kOutlier;
  std::vector<std::string> detectors;  // spec lines, first = the one whose band is shown
  EnsembleOptions ensemble;            // direction, min_abs_deviation, min_rel_deviation
};

// The detection engine for raw labelled series, as `inferscope detect` reads them from
// Prometheus (labels -> [(ts, value)], one query step apart): per (spec, SeriesKey) one
// detector ensemble, and one AnomalyTracker with the same lifecycle as DetectionEngine.
//
// Why a sibling of DetectionEngine and not more of it: DetectionEngine's unit is a model's
// rollup bucket, fanned out to every metric spec by extractors (and the multivariate forest
// over the whole bucket); here the unit is one value of one series named by arbitrary labels,
// and the caller needs every point's expected value and band back (to write
// inferscope_expected{,_lower,_upper} and inferscope_anomaly_score). Sharing one class would
// put a SeriesKey map and per-point outputs on the bucket path and bucket fan-out on this one.
//
// Anomalies: model = the series' `model` label if it has one, else the key's text
// (metric{labels}); metric = the key's metric name; labels = the key's labels; detector =
// the ensemble member that scored. One incident per (series, kind).
//
// Points of one series must come in time order: a point not later than the series' previous
// one is ignored (its output is QuietOutput and it is counted in ignored_points()). NaN
// values (Prometheus NaN / staleness) are skipped by the detectors and never open incidents.
// Memory: one ensemble (<= ~4 KiB with the default detectors) + the key per series.
// Not thread-safe.
class SeriesEngine {
 public:
  // Validates every spec by building its ensemble once; errors name the spec.
  static Result<std::unique_ptr<SeriesEngine>> Create(std::vector<SeriesSpec> specs,
                                                      AnomalyTracker::Options tracker = {});

  // One point of `key` judged by specs()[spec] (spec < specs().size()). Returns the
  // detectors' output for it: score in [0, 1] (0.5 = threshold crossed), expected, lower,
  // upper (NaN while learning), learning.
  DetectorOutput Observe(size_t spec, const SeriesKey& key, TimestampNs ts, double value);
  // All points of one series in order; one output per sample.
  std::vector<DetectorOutput> ObserveAll(size_t spec, const SeriesKey& key,
                                         std::span<const Sample> samples);
  // Resolves incidents of series silent since before now - resolve_after.
  void AdvanceTo(TimestampNs now) { tracker_.AdvanceTo(now); }

  // Incidents with their series labels (model = the "model" label where present), grouped
  // per series across kinds (AssignIncidents).
  std::vector<Anomaly> Anomalies() const;
  const std::vector<SeriesSpec>& specs() const { return specs_; }
  size_t series_count() const { return series_.size(); }
  uint64_t ignored_points() const { return ignored_points_; }
  size_t StateBytes() const;

  // Checkpoint of every series' detectors and last timestamp (format:
  // docs/format/detector-state.md, "Series engine checkpoint"; CRC-32C checked). Load is
  // all or nothing: DataLoss when corrupt or truncated, InvalidArgument when written with
  // other specs. Open incidents are not included.
  std::string SaveCheckpoint() const;
  Status LoadCheckpoint(std::string_view bytes);

 private:
  struct Series {
    std::unique_ptr<EnsembleDetector> detector;
    TimestampNs last_ts = 0;
    bool any = false;  // a point was accepted (last_ts is meaningful)
    std::string id;    // key text: the tracker's model
  };
  using Id = std::pair<size_t, SeriesKey>;

  SeriesEngine(std::vector<SeriesSpec> specs, AnomalyTracker::Options tracker,
               std::vector<std::unique_ptr<EnsembleDetector>> prototypes);
  Series& SeriesFor(size_t spec, const SeriesKey& key);

  std::vector<SeriesSpec> specs_;
  std::vector<std::unique_ptr<EnsembleDetector>> prototypes_;
  std::map<Id, Series> series_;
  // Tracker model string -> key, to give anomalies their labels back.
  std::map<std::string, SeriesKey> keys_;
  AnomalyTracker tracker_;
  uint64_t ignored_points_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_SERIES_ENGINE_H_
