#ifndef INFERSCOPE_API_LIVE_DETECTION_H_
#define INFERSCOPE_API_LIVE_DETECTION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "detect/anomaly.h"
#include "detect/detection_engine.h"
#include "stats/bucket_stats.h"
#include "store/event_store.h"
#include "store/metadata_store.h"

namespace inferscope {

struct LiveDetectionOptions {
  int64_t bucket_ns = kNanosPerMinute;
  // A bucket is judged once the clock is this far past its end, so events that arrive a
  // little late still count. Later events are stored but not judged (late_events()).
  int64_t lateness_ns = 2 * kNanosPerMinute;
  // A model silent for up to this many buckets is fed empty buckets (so a traffic drop is
  // seen); after that it is considered gone until it sends again.
  int64_t max_gap_buckets = 60;
  // Baseline window before an anomaly that its explanation contrasts with.
  int64_t baseline_ns = kNanosPerHour;
  // Events older than this (against the clock) are stored but not judged: a backfill of old
  // history, or a client sending epoch-0 timestamps, must not make the engine walk decades of
  // empty minutes.
  int64_t max_backfill_ns = 7 * kNanosPerDay;
};

// The live engine of `inferscope serve`: ingested events are rolled up per model into open
// buckets; Tick() closes the buckets the clock has passed, feeds them (and their fleet-wide
// merge, model "*") to the DetectionEngine in time order, explains new and changed
// anomalies from the store's rollups (window vs baseline), persists them in the metadata
// store and reports them to the change callback (alerting, /metrics).
//
// Thread-safe: OnEvents from ingest threads, Tick from one maintenance thread, reads from
// API threads. `store`, `metadata` (may be null) and `clock` are not owned and must outlive
// this object.
class LiveDetection {
 public:
  using ChangeCallback = std::function<void(const std::vector<Anomaly>& changed)>;

  LiveDetection(std::unique_ptr<DetectionEngine> engine, EventStore* store, MetadataStore* metadata,
                const Clock* clock, LiveDetectionOptions options = {});

  void OnEvents(std::span<const Event> events);
  // Judges every bucket that ended at least `lateness` before now. Returns the anomalies
  // that are new or changed state/severity since the last tick (already persisted).
  std::vector<Anomaly> Tick(TimestampNs now);
  void SetChangeCallback(ChangeCallback callback) { on_change_ = std::move(callback); }

  // The current anomalies (explained), newest start first.
  std::vector<Anomaly> Anomalies() const;
  // Count of firing anomalies per (kind, severity), for the anomalies_firing gauge.
  std::map<std::pair<std::string, std::string>, int> FiringCounts() const;

  // Detector state checkpoint into / out of the metadata store (name "live"), with the
  // last judged bucket so a restart resumes where it stopped.
  Status Checkpoint();
  Status Restore();

  uint64_t late_events() const;
  TimestampNs last_closed_bucket() const;

 private:
  void Explain(Anomaly* anomaly) const;

  const LiveDetectionOptions options_;
  EventStore* store_;
  MetadataStore* metadata_;
  const Clock* clock_;
  ChangeCallback on_change_;

  mutable std::mutex open_mu_;  // open_, late_, closed_before_
  std::map<TimestampNs, std::map<std::string, BucketStats>> open_;
  uint64_t late_ = 0;
  TimestampNs closed_before_ = INT64_MIN;  // buckets starting before this are judged

  mutable std::mutex engine_mu_;  // everything below
  std::unique_ptr<DetectionEngine> engine_;
  std::map<std::string, TimestampNs> next_bucket_;  // per model: the next bucket to feed
  std::map<std::string, TimestampNs> last_data_;    // per model: the last bucket with events
  std::map<std::string, Anomaly> known_;            // by id, as last reported
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_LIVE_DETECTION_H_
