#ifndef INFERSCOPE_DETECT_ANOMALY_TRACKER_H_
#define INFERSCOPE_DETECT_ANOMALY_TRACKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "detect/anomaly.h"
#include "detect/series_detector.h"

namespace inferscope {

// Turns per-point detector scores into incidents with a lifecycle, the way operators expect
// alerts to behave (Prometheus' `for:` and Alertmanager's grouping):
//
//   idle --score >= fire_threshold--> pending --held for pending_for--> firing
//   firing --score < resolve_threshold for resolve_after--> resolved (end = last bad point)
//   pending --score < resolve_threshold before pending_for--> dropped (never reported)
//   (a score between the thresholds keeps a pending or firing incident as it is)
//
// Grouping: one incident per (model, metric, kind); more bad points extend it instead of
// opening new ones. De-duplication across a flapping series: a new breach within `cooldown`
// of a resolution re-opens the same incident (same id) rather than creating another.
// Severity grows with the size of the deviation and with the duration.
//
// Points must arrive in time order per key. Not thread-safe.
class AnomalyTracker {
 public:
  struct Options {
    double fire_threshold = 0.5;
    double resolve_threshold = 0.3;
    int64_t pending_for_ns = 2 * kNanosPerMinute;  // 0 = fire on the first bad point
    int64_t resolve_after_ns = 5 * kNanosPerMinute;
    int64_t cooldown_ns = 15 * kNanosPerMinute;
  };

  struct Point {
    TimestampNs ts = 0;
    double value = 0;
    DetectorOutput output;
    uint64_t requests = 0;  // requests behind this point (0 if unknown)
    // Copied into Anomaly::details when this point becomes the incident's peak; must stay
    // valid for the duration of Observe only.
    std::string_view details;
  };

  AnomalyTracker() : AnomalyTracker(Options{}) {}
  explicit AnomalyTracker(Options options) : options_(options) {}

  // Feeds one point of one series. Returns true if an incident changed state (became
  // firing or resolved) at this point.
  bool Observe(const std::string& model, const std::string& metric, AnomalyKind kind,
               const std::string& detector, const Point& point);

  // Closes incidents whose key has been quiet since before `now` - resolve_after (for
  // series that stopped reporting).
  void AdvanceTo(TimestampNs now);

  // Incidents that reached firing, in start order (pending ones are not included). Ones
  // still firing have state kFiring.
  std::vector<Anomaly> Incidents() const;

  // Severity from relative deviation |observed - expected| / |expected| and duration.
  static Severity SeverityFor(double relative_deviation, int64_t duration_ns, double score);

 private:
  struct Track {
    Anomaly anomaly;
    bool open = false;            // pending or firing
    bool reported = false;        // reached firing at least once
    TimestampNs quiet_since = 0;  // first point below resolve_threshold while open (0 = none)
    double peak_deviation = 0;
  };
  using Key = std::tuple<std::string, std::string, AnomalyKind>;
  void Resolve(Track& t, TimestampNs end);
  void UpdateSeverity(Track& t);

  Options options_;
  std::map<Key, Track> tracks_;
  std::vector<Anomaly> closed_;
};

// Stable id from the incident's identity, e.g. "a-3f9c2b1e0d4a5c6b".
std::string MakeAnomalyId(const std::string& model, const std::string& metric, AnomalyKind kind,
                          TimestampNs start_ns);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ANOMALY_TRACKER_H_
