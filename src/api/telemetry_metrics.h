#ifndef INFERSCOPE_API_TELEMETRY_METRICS_H_
#define INFERSCOPE_API_TELEMETRY_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/event.h"

namespace inferscope {

struct TelemetryMetricsOptions {
  // Prepended to every family name ("inferscope_requests_total").
  std::string prefix = "inferscope_";
  // Label sets per family beyond which new label values are folded into "other", so a
  // client sending a fresh model name per request cannot blow up /metrics.
  size_t max_series_per_family = 2000;
};

// The aggregated telemetry that `GET /metrics` exposes, fed every ingested Event
// (docs/serve.md lists the families). Missing label values read "unknown".
//
// Latency is exposed as `latency_seconds`, not the `latency_ms` the issue names:
// `promtool check metrics` rejects abbreviated units, and Prometheus' convention is base
// units (docs/serve.md). Thread-safe: Record and Render may run concurrently (one mutex;
// Record holds it for a few counter updates).
class TelemetryMetrics {
 public:
  explicit TelemetryMetrics(TelemetryMetricsOptions options = {});

  void Record(const Event& event);
  // Replaces the firing-anomaly gauge: count per (kind, severity).
  void SetFiringAnomalies(const std::map<std::pair<std::string, std::string>, int>& firing);

  // Appends the exposition text of every family.
  void Render(std::string* out) const;

  static const std::vector<double>& LatencyBoundsSeconds();
  static const std::vector<double>& TokenBounds();
  static const std::vector<double>& BatchSizeBounds();

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // one per bound plus overflow
    double sum = 0;
    void Add(const std::vector<double>& bounds, double value);
  };
  struct CacheCounts {
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  using Key1 = std::string;
  using Key2 = std::pair<std::string, std::string>;
  using Key3 = std::tuple<std::string, std::string, std::string>;

  // Caps a family's cardinality: the value itself while there is room, else "other".
  template <typename Map, typename Key>
  typename Map::mapped_type& Slot(Map& map, Key key, Key overflow);

  TelemetryMetricsOptions options_;
  mutable std::mutex mu_;
  std::map<Key3, uint64_t> requests_;  // model, task_type, cache_tier
  std::map<Key1, double> cost_;        // model
  std::map<Key2, Histogram> latency_;  // model, cache_tier
  std::map<Key1, CacheCounts> cache_;  // tier
  std::array<Histogram, 2> tokens_;    // input, output
  std::map<Key2, uint64_t> errors_;    // error_type, component
  Histogram batch_size_;
  std::map<Key2, int> firing_;  // kind, severity
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_TELEMETRY_METRICS_H_
