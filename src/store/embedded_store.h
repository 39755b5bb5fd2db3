#ifndef INFERSCOPE_STORE_EMBEDDED_STORE_H_
#define INFERSCOPE_STORE_EMBEDDED_STORE_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/event_store.h"
#include "store/frozen_user_rollups.h"
#include "store/manifest.h"
#include "store/name_pool.h"
#include "store/packed_user_rollups.h"
#include "store/rollup_table.h"
#include "store/segment_reader.h"
#include "store/user_rollup_table.h"
#include "store/wal.h"

namespace inferscope {

struct EmbeddedStoreOptions {
  std::string data_dir = "./inferscope-data";
  WalOptions wal;
  // A flush (memtable -> segments) starts when the unflushed events hold this many bytes
  // in memory, or when the oldest of them was appended this long ago.
  uint64_t flush_bytes = uint64_t{64} << 20;
  int64_t flush_interval_ns = 10 * kNanosPerMinute;
  // Write stall (background mode only): while the memtables hold this many bytes of
  // unflushed payloads (the one being flushed included), Append waits for the flush, up to
  // stall_timeout_ns, then fails with Unavailable ("retry later") without writing anything.
  // Bounds memory when ingest outpaces the flush; 0 = no limit.
  uint64_t max_unflushed_bytes = uint64_t{256} << 20;
  int64_t stall_timeout_ns = 5 * kNanosPerSecond;
  // Retention: segments whose newest event is older than this (event time vs clock->Now())
  // are dropped; 0 keeps them. Then the oldest segments are dropped while all segments
  // together exceed retention_bytes; 0 = no limit.
  int64_t retention_age_ns = 0;
  uint64_t retention_bytes = 0;
  // Hours of per-minute rollups read back from segments kept decoded in memory.
  size_t minute_cache_hours = 24;
  // Per-user rollups: each segment keeps, per (hour, model), this many users with the most
  // requests and merges the others into user "(other)" (bounds segment and memory size).
  size_t max_users_per_model_hour = 1000;
  // Memory for hours of per-user rollups read back from segments (packed: ~75-130 bytes
  // per (hour, model, user) cell), least recently used hours evicted beyond it; whole days
  // come from the in-memory day tier. 256 MiB holds 30 days of ~3,000 cells an hour.
  uint64_t user_cache_bytes = uint64_t{256} << 20;
  // Run flushes and retention on a background thread every maintenance_interval_ns.
  bool background = false;
  int64_t maintenance_interval_ns = kNanosPerSecond;
  int zstd_level = 3;
  const Clock* clock = &SystemClock::Instance();  // not owned; must outlive the store
};

// What Open found and did.
struct StoreRecovery {
  WalRecovery wal;
  size_t segments = 0;
  size_t orphan_files_removed = 0;  // segment files of an unfinished flush
};

// Counters for /metrics and tests.
struct StoreStats {
  size_t segments = 0;
  uint64_t segment_bytes = 0;
  uint64_t segment_rows = 0;
  size_t memtable_events = 0;  // appended, not yet in segments
  uint64_t memtable_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t flushes = 0;
  uint64_t segments_dropped = 0;
  uint64_t stalled_appends = 0;      // appends that waited for a flush (write stall)
  uint64_t rejected_appends = 0;     // of those, the ones that timed out (Unavailable)
  size_t user_cache_hours = 0;       // hours of per-user rollups held in memory
  uint64_t user_cache_bytes = 0;     // their memory, names included
  size_t quantile_memo_entries = 0;  // memoised quantiles of tier cells (see QueryRollups)
};

// The embedded EventStore (docs/adr/0003-embedded-store.md): WAL + memtable + immutable
// hourly segments with per-minute rollups, and in-memory hour and day tiers of rollups so a
// query over 30 days merges ~30 day cells per key instead of 43,200 minute cells.
//
// Layout of data_dir: LOCK (flock, one process at a time), wal/wal-*.log, segments/MANIFEST,
// segments/seg-*.isg. Thread-safe.
class EmbeddedStore final : public EventStore {
 public:
  static Result<std::unique_ptr<EmbeddedStore>> Open(const EmbeddedStoreOptions& options);
  ~EmbeddedStore() override;

  Status Append(std::span<const Event> events) override;
  Status AppendStored(std::span<const StoredEvent> events);
  Result<ScanPage> Scan(const ScanRequest& request) override;
  Result<std::vector<RollupRow>> QueryRollups(const RollupQuery& query) override;
  Result<std::vector<UserRollupRow>> QueryUserRollups(const UserRollupQuery& query) override;

  // Writes every unflushed event into segments and deletes the WAL files they came from.
  Status Flush();
  // Flushes if the size or age threshold is reached.
  Status MaybeFlush();
  // Applies the retention options now.
  Status EnforceRetention();

  const StoreRecovery& recovery() const { return recovery_; }
  StoreStats stats() const;
  // The last error of the background thread (ok if none).
  Status background_status() const;

 private:
  // Unflushed batches, kept as their WAL payloads (~150 bytes per event instead of ~500 for
  // decoded StoredEvents, and no per-event string copies on append); decoded when scanned
  // or flushed. Its rollups are kept decoded.
  // Where one unflushed event's row is: the flush sorts these (24 bytes each) instead of
  // decoding every row to find its time.
  struct RowRef {
    TimestampNs timestamp_ns;
    uint64_t id;
    uint32_t batch;   // index into Memtable::batches
    uint32_t offset;  // of the row in that batch's payload
  };
  // One appended batch: its WAL record, shared so a scan can decode a snapshot outside the
  // lock, and the range of its events' timestamps, so a scan can skip it undecoded.
  struct MemBatch {
    uint64_t seq = 0;
    std::shared_ptr<const std::string> payload;
    TimestampNs min_ts = std::numeric_limits<TimestampNs>::max();  // empty: min > max
    TimestampNs max_ts = std::numeric_limits<TimestampNs>::min();
    void Include(TimestampNs ts) {
      min_ts = std::min(min_ts, ts);
      max_ts = std::max(max_ts, ts);
    }
  };
  struct Memtable {
    std::vector<MemBatch> batches;
    std::vector<RowRef> rows;  // every event of `batches`, in append order
    size_t events = 0;
    RollupTable minutes;
    UserRollupTable users{kNanosPerHour};  // uncapped: bounded by the memtable's size
    uint64_t bytes = 0;                    // payload bytes plus the row index
    uint64_t max_seq = 0;
    int64_t first_append_mono = 0;
  };
  struct SegmentHandle {
    SegmentMeta meta;
    std::string path;
    std::atomic<bool> doomed{false};
    ~SegmentHandle();
  };
  using SegmentList = std::vector<std::shared_ptr<SegmentHandle>>;

  explicit EmbeddedStore(const EmbeddedStoreOptions& options);
  Status Recover();
  template <typename E>
  Status AppendBatch(std::span<const E> events);
  // Decodes a memtable's batches (ids assigned) and calls fn for each event.
  using BatchList = std::vector<MemBatch>;
  Status FlushImmutable();  // caller holds flush_mu_
  // Minute rollups of one hour from segments (cached). Caller holds state_mu_.
  Result<const RollupTable*> DiskMinutes(TimestampNs hour);
  // Per-user hourly rollups of one hour from segments (cached, packed); the reference keeps
  // the hour (and its names) alive should it be evicted. Caller holds state_mu_.
  Result<std::shared_ptr<const PackedUserRollups>> DiskUsers(TimestampNs hour);
  // The entry of `hour` in an LRU cache of per-hour data read back from segments (Entry has
  // `last_used` and `cost` fields), loaded by load(Entry*) -> Status when missing (which sets
  // its cost); evicts the least recently used entries while the costs in `*used` would exceed
  // `budget` (always keeping the new entry). Caller holds state_mu_.
  template <typename Entry, typename Load>
  Result<Entry*> CachedHourOf(std::map<TimestampNs, Entry>& cache, uint64_t budget, uint64_t* used,
                              TimestampNs hour, const Load& load);
  // Calls fn for a reader of each segment of the hour partition starting at `hour` (errors
  // name the file). Caller holds state_mu_.
  Status ForEachSegmentOfHour(TimestampNs hour,
                              const std::function<Status(const SegmentReader&)>& fn) const;
  Status RebuildHour(TimestampNs hour);  // caller holds state_mu_
  // sketch.Quantile(q) for a sketch of the hour or day tiers, remembered until the tiers
  // change (a 30-day hourly trend asks the same ~3,600 cold sketches query after query).
  // Caller holds state_mu_.
  double MemoizedQuantile(const DDSketch& sketch, double q);
  // Adds flushed cells (any width dividing an hour) to the hour and day tiers.
  void AddToTiers(const RollupTable& cells);
  // A flat, time-ordered view of a tier table's cells (pointers into its map): a walk over
  // many buckets reads an array and fetches cells ahead, where stepping the tree costs a
  // cache miss per node. Built on first use; TiersChanged drops the views (and the quantile
  // memo) whenever a tier changes. Caller holds state_mu_.
  using TierCell = RollupTable::Map::value_type;
  using FlatTier = std::vector<const TierCell*>;
  const FlatTier& FlatOf(const RollupTable& tier);
  void TiersChanged();
  void MaintenanceLoop();
  // Waits (write stall) while unflushed bytes are at max_unflushed_bytes. Takes state_mu_.
  Status WaitForRoom();
  uint64_t UnflushedBytesLocked() const;  // caller holds state_mu_
  void RequestFlush();

  const EmbeddedStoreOptions options_;
  const std::string wal_dir_;
  const std::string seg_dir_;
  int lock_fd_ = -1;
  StoreRecovery recovery_;
  std::unique_ptr<Wal> wal_;

  // Appends hold it shared (WAL append + memtable insert), a flush's memtable switch holds
  // it exclusively, so the switched memtable holds exactly the records up to the rotation.
  std::shared_mutex append_mu_;
  std::mutex flush_mu_;  // one flush or retention pass at a time (they rewrite the manifest)

  mutable std::mutex state_mu_;  // everything below
  std::unique_ptr<Memtable> mem_;
  std::unique_ptr<Memtable> imm_;  // being flushed; still visible to reads
  Manifest manifest_;
  SegmentList segments_;
  // Flushed data merged per hour and per day, per full key and per (model, "*", "*").
  RollupTable hour_full_{kNanosPerHour};
  RollupTable hour_model_{kNanosPerHour};
  RollupTable day_full_{kNanosPerDay};
  RollupTable day_model_{kNanosPerDay};
  struct CachedHour {
    RollupTable minutes;
    uint64_t last_used = 0;
    uint64_t cost = 1;  // the minute cache counts hours
  };
  std::map<TimestampNs, CachedHour> minute_cache_;
  uint64_t minute_cache_used_ = 0;
  struct QuantileMemoKey {
    const DDSketch* sketch;
    double q;
    bool operator==(const QuantileMemoKey&) const = default;
  };
  struct QuantileMemoHash {
    size_t operator()(const QuantileMemoKey& k) const {
      return std::hash<const void*>()(k.sketch) ^
             (std::hash<double>()(k.q) * 0x9E3779B97F4A7C15ULL);
    }
  };
  static constexpr size_t kMaxMemoizedQuantiles = 1 << 20;  // then cleared (~40 MB at most)
  std::unordered_map<QuantileMemoKey, double, QuantileMemoHash> quantile_memo_;
  std::unordered_map<const RollupTable*, FlatTier> flat_tiers_;  // see FlatOf
  // Flushed per-user rollups merged per day (capped per hour, as in the segments).
  UserRollupTable day_users_{kNanosPerDay};
  // Its flat copy for queries; reset whenever day_users_ changes, rebuilt by the next query.
  std::optional<FrozenUserRollups> day_users_frozen_;
  // Names of the cached per-user hours; declared before the cache, which releases into it.
  NamePool user_names_;
  struct CachedUserHour {
    // Releases its names in user_names_ when the last reference goes.
    std::shared_ptr<const PackedUserRollups> packed;
    uint64_t last_used = 0;
    uint64_t cost = 0;  // packed->MemoryBytes() plus a share of the names
  };
  std::map<TimestampNs, CachedUserHour> user_cache_;
  uint64_t user_cache_used_ = 0;
  // Packs `table`'s cells of `hour` into a cache entry (cost set).
  CachedUserHour PackUserHour(const UserRollupTable& table, TimestampNs hour);
  uint64_t cache_clock_ = 0;
  uint64_t flushes_ = 0;
  uint64_t segments_dropped_ = 0;
  uint64_t stalled_appends_ = 0;
  uint64_t rejected_appends_ = 0;
  Status background_status_;
  std::condition_variable flushed_cv_;  // with state_mu_: a flush finished or failed

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  bool flush_requested_ = false;  // an append crossed flush_bytes: flush now, not next tick
  std::thread bg_thread_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_EMBEDDED_STORE_H_
