#ifndef INFERSCOPE_STORE_EVENT_STORE_H_
#define INFERSCOPE_STORE_EVENT_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/result.h"
#include "stats/bucket_stats.h"
#include "store/rollup_table.h"
#include "store/stored_event.h"
#include "store/user_counters.h"

namespace inferscope {

// Which raw events a scan returns. Every set condition must hold.
struct EventFilter {
  TimestampNs start_ns = INT64_MIN;  // inclusive
  TimestampNs end_ns = INT64_MAX;    // exclusive
  std::optional<std::string> model;
  std::optional<EventStatus> status;
  std::optional<double> min_latency_ms;  // events without a latency never match
  std::optional<std::string> trace_id;

  bool Matches(const StoredEvent& e) const;
};

enum class ScanOrder { kOldestFirst, kNewestFirst };

struct ScanRequest {
  EventFilter filter;
  size_t limit = 100;  // >= 1
  // "" for the first page, else the next_cursor of the previous page (same filter and order).
  std::string cursor;
  ScanOrder order = ScanOrder::kOldestFirst;
};

struct ScanPage {
  std::vector<StoredEvent> events;  // in (timestamp_ns, id) order (reversed for newest first)
  std::string next_cursor;          // "" when there is nothing after this page
};

// The sketches of a BucketStats.
enum class RollupSketch { kLatency, kTtft };

inline const DDSketch& SketchOf(const BucketStats& stats, RollupSketch which) {
  return which == RollupSketch::kTtft ? stats.ttft_ms : stats.latency_ms;
}

// Aggregates over a time range from the per-minute rollups, never from raw events.
struct RollupQuery {
  TimestampNs start_ns = 0;  // floored to a minute
  TimestampNs end_ns = 0;    // exclusive; ceiled to a minute
  int64_t step_ns = 0;       // 0: one bucket for the whole range; else a multiple of a minute
  std::optional<std::string> model;
  std::optional<std::string> task_type;
  std::optional<std::string> cache_tier;
  // Dimensions kept apart in the result; the others are merged and reported as "*".
  bool by_model = true;
  bool by_task_type = false;
  bool by_cache_tier = false;
  // false: each row's stats hold counters and sums only (its sketches are left empty),
  // which spares copying and merging sketches per cell: much cheaper over many cells.
  bool keep_sketches = true;
  // Quantiles (each in [0, 1]) of `quantile_sketch` computed per row into
  // RollupRow::quantiles, whether or not sketches are kept; a row made of one stored cell is
  // read in place.
  std::vector<double> quantiles;
  RollupSketch quantile_sketch = RollupSketch::kLatency;
};

struct RollupRow {
  TimestampNs start_ns = 0;  // the bucket: [start_ns, start_ns + step)
  RollupKey key;
  BucketStats stats;
  std::vector<double> quantiles;  // as RollupQuery::quantiles asked; NaN where no samples
};

// Per-user aggregates over a time range, from the hourly per-user rollups (counters and sums
// only: no percentiles per user). Each (hour, model) keeps its busiest users by requests
// (EmbeddedStoreOptions::max_users_per_model_hour) and the rest as user "(other)".
struct UserRollupQuery {
  TimestampNs start_ns = 0;  // floored to an hour
  TimestampNs end_ns = 0;    // exclusive; ceiled to an hour
  int64_t step_ns = 0;       // 0: one bucket for the whole range; else a multiple of an hour
  std::optional<std::string> model;
  bool by_model = false;  // false: models merged, reported as "*"
  // When set, only these keys are returned: (model, user) pairs when by_model, else users
  // (each pair's model ignored). Hours read back from segments then look the wanted cells
  // up without decoding the others, which is what makes a month of hourly series for the
  // top users cheap.
  std::optional<std::vector<std::pair<std::string, std::string>>> only;
  // With `only`: every other key merged per bucket into user "(other)" (per model when
  // by_model), together with what the store already keeps as "(other)"; hours read back
  // from segments derive it from per-model totals instead of reading the other users.
  bool merge_rest = false;
};

struct UserRollupRow {
  TimestampNs start_ns = 0;  // the bucket: [start_ns, start_ns + step)
  std::string model;         // "*" unless by_model
  std::string user;          // "" for events without a user
  UserCounters counters;
};

// Where events live: the embedded store by default; another backend (e.g. ClickHouse) can
// implement the same interface without the engine noticing.
//
// Thread-safe: any number of threads may call any method concurrently.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores a batch. Returns once the batch is durable under the store's policy: an ok
  // return is the acknowledgement. All or nothing per call (batches over the store's
  // per-record limit are split; each part is all or nothing).
  virtual Status Append(std::span<const Event> events) = 0;
  // One page of raw events matching a filter.
  virtual Result<ScanPage> Scan(const ScanRequest& request) = 0;
  // Rows sorted by (start_ns, key); buckets or keys without events are absent.
  virtual Result<std::vector<RollupRow>> QueryRollups(const RollupQuery& query) = 0;
  // Rows sorted by (start_ns, model, user); empty cells are absent.
  virtual Result<std::vector<UserRollupRow>> QueryUserRollups(const UserRollupQuery& query) = 0;
};

// Cursor text for a position in (timestamp, id) order; ParseScanCursor is its inverse
// (InvalidArgument on anything else).
std::string FormatScanCursor(TimestampNs ts, uint64_t id);
Status ParseScanCursor(std::string_view text, TimestampNs* ts, uint64_t* id);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_EVENT_STORE_H_
