#include "store/embedded_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_set>
#include <utility>

#include "stats/time_rollup.h"
#include "store/event_batch_codec.h"
#include "store/file_util.h"
#include "store/segment_builder.h"
#include "store/segment_reader.h"
#include "store/segment_writer.h"

namespace inferscope {
namespace {

constexpr int64_t kPartitionNs = kNanosPerHour;

TimestampNs FloorTo(TimestampNs t, int64_t width) { return FloorDiv(t, width) * width; }
TimestampNs CeilTo(TimestampNs t, int64_t width) {
  const TimestampNs f = FloorTo(t, width);
  return f == t ? t : f + width;
}

RollupKey ModelOnly(const RollupKey& k) { return RollupKey{k.model, "*", "*"}; }

// Orders events by (timestamp, id), or the reverse.
struct EventOrder {
  bool newest_first;
  bool operator()(const StoredEvent& a, const StoredEvent& b) const {
    if (a.timestamp_ns != b.timestamp_ns) {
      return newest_first ? a.timestamp_ns > b.timestamp_ns : a.timestamp_ns < b.timestamp_ns;
    }
    return newest_first ? a.id > b.id : a.id < b.id;
  }
};

}  // namespace

EmbeddedStore::SegmentHandle::~SegmentHandle() {
  // Dropped by retention: the manifest no longer lists it; the last reader deletes the file.
  if (doomed.load()) (void)RemoveFile(path);
}

EmbeddedStore::EmbeddedStore(const EmbeddedStoreOptions& options)
    : options_(options),
      wal_dir_(options.data_dir + "/wal"),
      seg_dir_(options.data_dir + "/segments"),
      mem_(std::make_unique<Memtable>()) {}

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::Open(const EmbeddedStoreOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("store: no clock");
  std::unique_ptr<EmbeddedStore> store(new EmbeddedStore(options));
  INFERSCOPE_RETURN_IF_ERROR(store->Recover());
  if (options.background) {
    store->bg_thread_ = std::thread([s = store.get()] { s->MaintenanceLoop(); });
  }
  return store;
}

EmbeddedStore::~EmbeddedStore() {
  {
    std::lock_guard lk(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  wal_.reset();
  segments_.clear();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status EmbeddedStore::Recover() {
  INFERSCOPE_RETURN_IF_ERROR(CreateDirs(options_.data_dir));
  INFERSCOPE_RETURN_IF_ERROR(CreateDirs(wal_dir_));
  INFERSCOPE_RETURN_IF_ERROR(CreateDirs(seg_dir_));
  const std::string lock_path = options_.data_dir + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    return Status::IoError(fmt::format("open {}: {}", lock_path, std::strerror(errno)));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Unavailable(
        fmt::format("data directory {} is in use by another process", options_.data_dir));
  }

  INFERSCOPE_ASSIGN_OR_RETURN(manifest_, ReadManifest(seg_dir_));
  std::unordered_set<std::string> live;
  for (const auto& m : manifest_.segments) live.insert(SegmentFileName(m.id));
  INFERSCOPE_ASSIGN_OR_RETURN(auto names, ListFiles(seg_dir_, "seg-", ".isg"));
  for (const auto& name : names) {
    if (live.count(name) == 0) {
      INFERSCOPE_RETURN_IF_ERROR(RemoveFile(seg_dir_ + "/" + name));
      ++recovery_.orphan_files_removed;
    }
  }
  INFERSCOPE_ASSIGN_OR_RETURN(auto temps, ListFiles(seg_dir_, "", ".tmp"));
  for (const auto& name : temps) INFERSCOPE_RETURN_IF_ERROR(RemoveFile(seg_dir_ + "/" + name));

  for (const auto& meta : manifest_.segments) {
    auto handle = std::make_shared<SegmentHandle>();
    handle->meta = meta;
    handle->path = seg_dir_ + "/" + SegmentFileName(meta.id);
    INFERSCOPE_ASSIGN_OR_RETURN(auto reader, SegmentReader::OpenFile(handle->path));
    RollupTable hours(kNanosPerHour);
    INFERSCOPE_RETURN_IF_ERROR(reader->ReadHourRollups(&hours).WithContext(handle->path));
    AddToTiers(hours);
    INFERSCOPE_RETURN_IF_ERROR(reader->ReadUserRollups(&day_users_).WithContext(handle->path));
    segments_.push_back(std::move(handle));
  }
  recovery_.segments = segments_.size();

  const int64_t now_mono = options_.clock->MonotonicNs();
  auto replay = [&](uint64_t seq, std::string_view payload) -> Status {
    // One pass: each row indexed and rolled up where it lies. (A bad row fails the replay,
    // and with it Open, so a half-added record is never used.)
    if (mem_->events == 0) mem_->first_append_mono = now_mono;
    const auto batch_index = static_cast<uint32_t>(mem_->batches.size());
    const size_t rows_before = mem_->rows.size();
    MemBatch batch;
    batch.seq = seq;
    INFERSCOPE_RETURN_IF_ERROR(
        ForEachEventRow(payload, seq, [&](const EventRowView& row, size_t offset) {
          batch.Include(row.timestamp_ns);
          mem_->rows.push_back(
              {row.timestamp_ns, row.id, batch_index, static_cast<uint32_t>(offset)});
          const Event event = row.ToEventWithoutAttributes();
          mem_->minutes.Add(event);
          mem_->users.Add(event);
        }));
    const size_t rows = mem_->rows.size() - rows_before;
    mem_->events += rows;
    mem_->bytes += payload.size() + rows * sizeof(RowRef);
    batch.payload = std::make_shared<const std::string>(payload);
    mem_->batches.push_back(std::move(batch));
    mem_->max_seq = seq;
    return Status::Ok();
  };
  INFERSCOPE_ASSIGN_OR_RETURN(
      wal_, Wal::Open(wal_dir_, options_.wal, manifest_.flushed_seq, replay, &recovery_.wal));
  return Status::Ok();
}

Status EmbeddedStore::Append(std::span<const Event> events) { return AppendBatch(events); }

Status EmbeddedStore::AppendStored(std::span<const StoredEvent> events) {
  return AppendBatch(events);
}

uint64_t EmbeddedStore::UnflushedBytesLocked() const {
  return mem_->bytes + (imm_ ? imm_->bytes : 0);
}

void EmbeddedStore::RequestFlush() {
  {
    std::lock_guard lk(bg_mu_);
    flush_requested_ = true;
  }
  bg_cv_.notify_all();
}

Status EmbeddedStore::WaitForRoom() {
  if (!options_.background || options_.max_unflushed_bytes == 0) return Status::Ok();
  std::unique_lock lk(state_mu_);
  if (UnflushedBytesLocked() < options_.max_unflushed_bytes) return Status::Ok();
  ++stalled_appends_;
  lk.unlock();
  RequestFlush();
  lk.lock();
  const bool room =
      flushed_cv_.wait_for(lk, std::chrono::nanoseconds(options_.stall_timeout_ns), [&] {
        return UnflushedBytesLocked() < options_.max_unflushed_bytes || !background_status_.ok();
      });
  if (room && background_status_.ok()) return Status::Ok();
  ++rejected_appends_;
  if (!background_status_.ok()) {
    return Status::Unavailable("store: flushing into segments failed: " +
                               background_status_.message());
  }
  return Status::Unavailable(
      fmt::format("store: {:.1f} MiB not yet flushed into segments (limit {:.1f} MiB); retry later",
                  static_cast<double>(UnflushedBytesLocked()) / (1 << 20),
                  static_cast<double>(options_.max_unflushed_bytes) / (1 << 20)));
}

template <typename E>
Status EmbeddedStore::AppendBatch(std::span<const E> events) {
  INFERSCOPE_RETURN_IF_ERROR(WaitForRoom());
  bool flush_due = false;
  for (size_t begin = 0; begin < events.size(); begin += kMaxEventsPerBatch) {
    auto part = events.subspan(begin, std::min(kMaxEventsPerBatch, events.size() - begin));
    std::string payload;
    std::vector<uint32_t> offsets;
    offsets.reserve(part.size());
    EncodeEventBatch(part, &payload, &offsets);
    std::shared_lock append_lock(append_mu_);
    INFERSCOPE_ASSIGN_OR_RETURN(const uint64_t seq, wal_->Append(payload));
    const int64_t now_mono = options_.clock->MonotonicNs();
    std::lock_guard lk(state_mu_);
    if (mem_->events == 0) mem_->first_append_mono = now_mono;
    for (const auto& e : part) {
      mem_->minutes.Add(e);
      mem_->users.Add(e);
    }
    const auto batch_index = static_cast<uint32_t>(mem_->batches.size());
    MemBatch batch;
    batch.seq = seq;
    for (size_t i = 0; i < part.size(); ++i) {
      mem_->rows.push_back({part[i].timestamp_ns, MakeEventId(seq, i), batch_index, offsets[i]});
      batch.Include(part[i].timestamp_ns);
    }
    mem_->events += part.size();
    mem_->bytes += payload.size() + part.size() * sizeof(RowRef);
    batch.payload = std::make_shared<const std::string>(std::move(payload));
    mem_->batches.push_back(std::move(batch));
    mem_->max_seq = std::max(mem_->max_seq, seq);
    flush_due = imm_ == nullptr && mem_->bytes >= options_.flush_bytes;
  }
  if (flush_due && options_.background) RequestFlush();
  return Status::Ok();
}

Status EmbeddedStore::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  if (!imm_) {
    std::unique_lock append_lock(append_mu_);
    {
      std::lock_guard lk(state_mu_);
      if (mem_->events == 0) return Status::Ok();
    }
    INFERSCOPE_ASSIGN_OR_RETURN(const uint64_t rotated, wal_->Rotate());
    std::lock_guard lk(state_mu_);
    imm_ = std::move(mem_);
    imm_->max_seq = std::max(imm_->max_seq, rotated);
    mem_ = std::make_unique<Memtable>();
  }
  return FlushImmutable();
}

Status EmbeddedStore::MaybeFlush() {
  bool due = false;
  {
    std::lock_guard lk(state_mu_);
    due = imm_ != nullptr || mem_->bytes >= options_.flush_bytes ||
          (mem_->events != 0 &&
           options_.clock->MonotonicNs() - mem_->first_append_mono >= options_.flush_interval_ns);
  }
  return due ? Flush() : Status::Ok();
}

Status EmbeddedStore::FlushImmutable() {
  // imm_ changes only here and under flush_mu_, which the caller holds; readers only read it.
  // The row index is sorted, which also groups the rows by hour partition; then each row is
  // decoded in place, in order, straight into its partition's SegmentBuilder.
  const BatchList& batches = imm_->batches;
  // Scans read only imm_'s batches and rollups, so the index can be taken.
  std::vector<RowRef> rows = std::move(imm_->rows);
  auto by_time = [](const RowRef& a, const RowRef& b) {
    return a.timestamp_ns != b.timestamp_ns ? a.timestamp_ns < b.timestamp_ns : a.id < b.id;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), by_time)) {
    std::sort(rows.begin(), rows.end(), by_time);
  }
  Manifest next;
  {
    std::lock_guard lk(state_mu_);
    next = manifest_;
  }
  SegmentList added;
  std::vector<UserRollupTable> added_users;  // per added segment, as written (capped)
  EventRowView view;
  for (size_t begin = 0; begin < rows.size();) {
    const TimestampNs start = FloorTo(rows[begin].timestamp_ns, kPartitionNs);
    SegmentBuilder builder;
    size_t end = begin;
    for (; end < rows.size() && rows[end].timestamp_ns < start + kPartitionNs; ++end) {
      const RowRef& r = rows[end];
      INFERSCOPE_RETURN_IF_ERROR(
          DecodeEventRowAt(*batches[r.batch].payload, r.offset, r.id, &view));
      builder.Add(view);
    }
    RollupTable minutes(kNanosPerMinute);
    minutes.MergeRange(imm_->minutes, start, start + kPartitionNs);
    RollupTable hours(kNanosPerHour);
    hours.MergeFrom(minutes);
    UserRollupTable& users = added_users.emplace_back(kNanosPerHour);
    users.MergeRange(imm_->users, start, start + kPartitionNs);
    users.Cap(options_.max_users_per_model_hour);
    SegmentInfo info;
    info.partition_start_ns = start;
    info.partition_width_ns = kPartitionNs;
    info.wal_seq_hi = imm_->max_seq;
    const std::string bytes = builder.Finish(info, minutes, hours, options_.zstd_level, &users);
    auto handle = std::make_shared<SegmentHandle>();
    handle->meta.id = next.next_segment_id++;
    handle->meta.partition_start_ns = start;
    handle->meta.min_ts = rows[begin].timestamp_ns;
    handle->meta.max_ts = rows[end - 1].timestamp_ns;
    handle->meta.rows = end - begin;
    handle->meta.bytes = bytes.size();
    handle->path = seg_dir_ + "/" + SegmentFileName(handle->meta.id);
    INFERSCOPE_RETURN_IF_ERROR(WriteSegmentFile(handle->path, bytes));
    next.segments.push_back(handle->meta);
    added.push_back(std::move(handle));
    begin = end;
  }
  next.flushed_seq = std::max(next.flushed_seq, imm_->max_seq);
  INFERSCOPE_RETURN_IF_ERROR(SyncDir(seg_dir_));
  // The commit point: from here on the events are in segments, not (only) in the WAL.
  INFERSCOPE_RETURN_IF_ERROR(WriteManifest(seg_dir_, next));
  {
    std::lock_guard lk(state_mu_);
    manifest_ = next;
    for (auto& h : added) segments_.push_back(std::move(h));
    AddToTiers(imm_->minutes);
    for (auto& [hour, cached] : minute_cache_) {
      cached.minutes.MergeRange(imm_->minutes, hour, hour + kNanosPerHour);
    }
    for (const UserRollupTable& users : added_users) {
      day_users_.MergeFrom(users);
      day_users_frozen_.reset();
      if (users.empty()) continue;
      auto cached = user_cache_.find(users.cells().begin()->first.start);
      if (cached != user_cache_.end()) {
        // Repacked with the new cells (the hour's other segments are already in it).
        UserRollupTable merged(kNanosPerHour);
        cached->second.packed->MergeInto(&merged, user_names_);
        merged.MergeFrom(users);
        CachedUserHour repacked = PackUserHour(merged, cached->first);
        repacked.last_used = cached->second.last_used;
        user_cache_used_ += repacked.cost - cached->second.cost;
        cached->second = std::move(repacked);
      }
    }
    imm_.reset();
    ++flushes_;
  }
  flushed_cv_.notify_all();
  return wal_->DeleteUpTo(next.flushed_seq);
}

Status EmbeddedStore::EnforceRetention() {
  if (options_.retention_age_ns <= 0 && options_.retention_bytes == 0) return Status::Ok();
  std::lock_guard flush_lock(flush_mu_);
  Manifest next;
  std::set<uint64_t> doomed;
  std::set<TimestampNs> hours;
  {
    std::lock_guard lk(state_mu_);
    next = manifest_;
  }
  std::vector<SegmentMeta> by_age = next.segments;
  std::sort(by_age.begin(), by_age.end(), [](const SegmentMeta& a, const SegmentMeta& b) {
    return a.partition_start_ns != b.partition_start_ns
               ? a.partition_start_ns < b.partition_start_ns
               : a.id < b.id;
  });
  uint64_t total = 0;
  for (const auto& m : by_age) total += m.bytes;
  const TimestampNs now = options_.clock->Now();
  for (const auto& m : by_age) {
    const bool too_old =
        options_.retention_age_ns > 0 && m.max_ts < now - options_.retention_age_ns;
    const bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
    if (!too_old && !too_big) break;  // oldest first: the rest are newer
    doomed.insert(m.id);
    hours.insert(m.partition_start_ns);
    total -= m.bytes;
  }
  if (doomed.empty()) return Status::Ok();
  std::erase_if(next.segments, [&](const SegmentMeta& m) { return doomed.count(m.id) != 0; });
  INFERSCOPE_RETURN_IF_ERROR(WriteManifest(seg_dir_, next));
  std::lock_guard lk(state_mu_);
  manifest_ = next;
  std::erase_if(segments_, [&](const std::shared_ptr<SegmentHandle>& h) {
    if (doomed.count(h->meta.id) == 0) return false;
    h->doomed = true;
    return true;
  });
  segments_dropped_ += doomed.size();
  std::set<TimestampNs> days;
  for (TimestampNs h : hours) {
    if (auto it = minute_cache_.find(h); it != minute_cache_.end()) {
      minute_cache_used_ -= it->second.cost;
      minute_cache_.erase(it);
    }
    if (auto it = user_cache_.find(h); it != user_cache_.end()) {
      user_cache_used_ -= it->second.cost;
      user_cache_.erase(it);
    }
    INFERSCOPE_RETURN_IF_ERROR(RebuildHour(h));
    days.insert(FloorTo(h, kNanosPerDay));
  }
  // The per-user day tier, re-read from the day's remaining segments.
  if (!days.empty()) day_users_frozen_.reset();
  for (TimestampNs day : days) {
    day_users_.EraseRange(day, day + kNanosPerDay);
    for (TimestampNs hour = day; hour < day + kNanosPerDay; hour += kNanosPerHour) {
      INFERSCOPE_RETURN_IF_ERROR(ForEachSegmentOfHour(
          hour, [&](const SegmentReader& reader) { return reader.ReadUserRollups(&day_users_); }));
    }
  }
  return Status::Ok();
}

double EmbeddedStore::MemoizedQuantile(const DDSketch& sketch, double q) {
  if (quantile_memo_.size() >= kMaxMemoizedQuantiles) quantile_memo_.clear();
  auto [it, added] = quantile_memo_.try_emplace(QuantileMemoKey{&sketch, q}, 0.0);
  if (added) it->second = sketch.Quantile(q);
  return it->second;
}

void EmbeddedStore::TiersChanged() {
  quantile_memo_.clear();  // merges change tier sketches in place; erased cells' addresses
  flat_tiers_.clear();     // may be reused
}

const EmbeddedStore::FlatTier& EmbeddedStore::FlatOf(const RollupTable& tier) {
  auto [it, added] = flat_tiers_.try_emplace(&tier);
  if (added) {
    it->second.reserve(tier.size());
    for (const TierCell& cell : tier.cells()) it->second.push_back(&cell);
  }
  return it->second;
}

void EmbeddedStore::AddToTiers(const RollupTable& cells) {
  TiersChanged();
  for (const auto& [cell, stats] : cells.cells()) {
    hour_full_.Merge(cell.start, cell.key, stats);
    hour_model_.Merge(cell.start, ModelOnly(cell.key), stats);
    day_full_.Merge(cell.start, cell.key, stats);
    day_model_.Merge(cell.start, ModelOnly(cell.key), stats);
  }
}

Status EmbeddedStore::RebuildHour(TimestampNs hour) {
  TiersChanged();
  hour_full_.EraseRange(hour, hour + kNanosPerHour);
  hour_model_.EraseRange(hour, hour + kNanosPerHour);
  Status read = ForEachSegmentOfHour(hour, [&](const SegmentReader& reader) {
    RollupTable hours(kNanosPerHour);
    INFERSCOPE_RETURN_IF_ERROR(reader.ReadHourRollups(&hours));
    for (const auto& [cell, stats] : hours.cells()) {
      hour_full_.Merge(cell.start, cell.key, stats);
      hour_model_.Merge(cell.start, ModelOnly(cell.key), stats);
    }
    return Status::Ok();
  });
  INFERSCOPE_RETURN_IF_ERROR(read);
  // The day is the merge of its hours.
  const TimestampNs day = FloorTo(hour, kNanosPerDay);
  day_full_.EraseRange(day, day + kNanosPerDay);
  day_model_.EraseRange(day, day + kNanosPerDay);
  day_full_.MergeRange(hour_full_, day, day + kNanosPerDay);
  day_model_.MergeRange(hour_model_, day, day + kNanosPerDay);
  return Status::Ok();
}

EmbeddedStore::CachedUserHour EmbeddedStore::PackUserHour(const UserRollupTable& table,
                                                          TimestampNs hour) {
  CachedUserHour entry;
  NamePool* pool = &user_names_;
  entry.packed = std::shared_ptr<const PackedUserRollups>(new PackedUserRollups(table, hour, pool),
                                                          [pool](const PackedUserRollups* packed) {
                                                            packed->ReleaseNames(pool);
                                                            delete packed;
                                                          });
  entry.cost = entry.packed->MemoryBytes();
  return entry;
}

Result<std::shared_ptr<const PackedUserRollups>> EmbeddedStore::DiskUsers(TimestampNs hour) {
  INFERSCOPE_ASSIGN_OR_RETURN(
      CachedUserHour * entry,
      CachedHourOf(
          user_cache_, options_.user_cache_bytes, &user_cache_used_, hour,
          [&](CachedUserHour* fresh) -> Status {
            UserRollupTable users(kNanosPerHour);
            INFERSCOPE_RETURN_IF_ERROR(ForEachSegmentOfHour(
                hour, [&](const SegmentReader& reader) { return reader.ReadUserRollups(&users); }));
            *fresh = PackUserHour(users, hour);
            return Status::Ok();
          }));
  return entry->packed;
}

Result<const RollupTable*> EmbeddedStore::DiskMinutes(TimestampNs hour) {
  INFERSCOPE_ASSIGN_OR_RETURN(CachedHour * entry,
                              CachedHourOf(minute_cache_, options_.minute_cache_hours,
                                           &minute_cache_used_, hour, [&](CachedHour* fresh) {
                                             return ForEachSegmentOfHour(
                                                 hour, [&](const SegmentReader& reader) {
                                                   return reader.ReadMinuteRollups(&fresh->minutes);
                                                 });
                                           }));
  return &entry->minutes;
}

template <typename Entry, typename Load>
Result<Entry*> EmbeddedStore::CachedHourOf(std::map<TimestampNs, Entry>& cache, uint64_t budget,
                                           uint64_t* used, TimestampNs hour, const Load& load) {
  auto it = cache.find(hour);
  if (it == cache.end()) {
    Entry fresh;
    INFERSCOPE_RETURN_IF_ERROR(load(&fresh));
    while (!cache.empty() && *used + fresh.cost > budget) {
      auto lru = std::min_element(cache.begin(), cache.end(), [](const auto& x, const auto& y) {
        return x.second.last_used < y.second.last_used;
      });
      *used -= lru->second.cost;
      cache.erase(lru);
    }
    *used += fresh.cost;
    it = cache.emplace(hour, std::move(fresh)).first;
  }
  it->second.last_used = ++cache_clock_;
  return &it->second;
}

Status EmbeddedStore::ForEachSegmentOfHour(
    TimestampNs hour, const std::function<Status(const SegmentReader&)>& fn) const {
  for (const auto& h : segments_) {
    if (h->meta.partition_start_ns != hour) continue;
    INFERSCOPE_ASSIGN_OR_RETURN(auto reader, SegmentReader::OpenFile(h->path));
    INFERSCOPE_RETURN_IF_ERROR(fn(*reader).WithContext(h->path));
  }
  return Status::Ok();
}

Result<std::vector<RollupRow>> EmbeddedStore::QueryRollups(const RollupQuery& q) {
  if (q.step_ns < 0 || q.step_ns % kNanosPerMinute != 0) {
    return Status::InvalidArgument("rollup step must be a non-negative multiple of a minute");
  }
  const TimestampNs start = FloorTo(q.start_ns, kNanosPerMinute);
  const TimestampNs end = CeilTo(q.end_ns, kNanosPerMinute);
  if (end <= start) return std::vector<RollupRow>{};
  const int64_t step = q.step_ns == 0 ? end - start : q.step_ns;
  if ((end - start) / step > 1'000'000) {
    return Status::InvalidArgument("rollup query over more than 1,000,000 buckets");
  }
  const bool model_tier = !q.task_type && !q.cache_tier && !q.by_task_type && !q.by_cache_tier;

  // Per bucket, in time order, the groups found so far (a handful: linear search).
  struct Group {
    RollupKey key;
    BucketStats stats;
    // For RollupQuery::quantiles: the one stored cell's sketch while the group has one (read in
    // place: the tiers and memtables do not change while state_mu_ is held), else a merge.
    const DDSketch* single = nullptr;
    bool single_in_tier = false;       // `single` is a tier cell's: its quantiles are memoised
    std::unique_ptr<DDSketch> merged;  // only when cells were merged (rare when aligned)
    uint32_t cells = 0;
  };
  // How long a cell handed to `add` lives: kVolatile, minute tables read from disk (a later
  // read of the same query may evict them from their cache); kQuery, the memtables (they
  // change with the next append, never while state_mu_ is held); kTier, the hour and day tiers
  // (unchanged until the next flush or retention pass, which clear quantile_memo_).
  enum class CellLife { kVolatile, kQuery, kTier };
  std::vector<std::pair<TimestampNs, std::vector<Group>>> out;
  out.reserve(static_cast<size_t>((end - start + step - 1) / step));
  std::vector<Group>* groups = nullptr;
  size_t total_groups = 0;
  size_t last_group_count = 0;  // the previous bucket's: the next one usually has as many
  const bool want_quantiles = !q.quantiles.empty();
  auto add = [&](const RollupKey& k, const BucketStats& stats, CellLife life) {
    if (q.model && k.model != *q.model) return;
    if (q.task_type && k.task_type != *q.task_type) return;
    if (q.cache_tier && k.cache_tier != *q.cache_tier) return;
    const std::string_view model = q.by_model ? std::string_view(k.model) : "*";
    const std::string_view task = q.by_task_type ? std::string_view(k.task_type) : "*";
    const std::string_view tier = q.by_cache_tier ? std::string_view(k.cache_tier) : "*";
    Group* g = nullptr;
    for (Group& candidate : *groups) {
      if (candidate.key.model == model && candidate.key.task_type == task &&
          candidate.key.cache_tier == tier) {
        g = &candidate;
        break;
      }
    }
    if (g == nullptr) {
      if (groups->empty()) groups->reserve(std::max<size_t>(1, last_group_count));
      g = &groups->emplace_back();
      g->key = RollupKey{std::string(model), std::string(task), std::string(tier)};
      ++total_groups;
      if (q.keep_sketches) {
        g->stats = stats;  // a copy: cheaper than merging into an empty bucket
      } else {
        g->stats.MergeCounters(stats);
      }
    } else if (q.keep_sketches) {
      g->stats.Merge(stats);
    } else {
      g->stats.MergeCounters(stats);
    }
    if (want_quantiles) {
      const DDSketch& sketch = SketchOf(stats, q.quantile_sketch);
      if (g->cells == 0 && life != CellLife::kVolatile) {
        g->single = &sketch;
        g->single_in_tier = life == CellLife::kTier;
      } else {
        if (g->merged == nullptr) {
          g->merged = g->single != nullptr ? std::make_unique<DDSketch>(*g->single)
                                           : std::make_unique<DDSketch>();
          g->single = nullptr;
          // The merge is this query's own sketch: its address is reused by later queries, so
          // its quantiles must not be memoised.
          g->single_in_tier = false;
        }
        g->merged->Merge(sketch);
      }
      ++g->cells;
    }
  };
  // Consecutive buckets read consecutive cells of a table: where the previous range of the
  // same table stopped is the next one's lower bound when the ranges abut, which spares a
  // tree descent per bucket. Not for kVolatile tables, which may be replaced at the same
  // address by a later read.
  const RollupTable* hint_table = nullptr;
  TimestampNs hint_to = 0;
  RollupTable::Map::const_iterator hint_it;
  const FlatTier* flat_hint = nullptr;  // the same for the tiers' flat views
  TimestampNs flat_hint_to = 0;
  size_t flat_hint_i = 0;
  auto add_range = [&](const RollupTable& table, TimestampNs from, TimestampNs to, CellLife life) {
    if (life == CellLife::kTier) {
      const FlatTier& flat = FlatOf(table);
      size_t i = &flat == flat_hint && from == flat_hint_to
                     ? flat_hint_i
                     : static_cast<size_t>(std::lower_bound(flat.begin(), flat.end(), from,
                                                            [](const TierCell* c, TimestampNs t) {
                                                              return c->first.start < t;
                                                            }) -
                                           flat.begin());
      constexpr size_t kAhead = 4;  // cells fetched ahead of the one merged
      for (; i < flat.size() && flat[i]->first.start < to; ++i) {
        if (i + kAhead < flat.size()) {
          __builtin_prefetch(flat[i + kAhead]);
          __builtin_prefetch(&flat[i + kAhead]->second);
        }
        add(flat[i]->first.key, flat[i]->second, life);
      }
      flat_hint = &flat;
      flat_hint_to = to;
      flat_hint_i = i;
      return;
    }
    auto it = life != CellLife::kVolatile && &table == hint_table && from == hint_to
                  ? hint_it
                  : table.LowerBound(from);
    for (; it != table.cells().end() && it->first.start < to; ++it) {
      add(it->first.key, it->second, life);
    }
    hint_table = life != CellLife::kVolatile ? &table : nullptr;
    hint_to = to;
    hint_it = it;
  };

  std::lock_guard lk(state_mu_);
  auto disk_minutes = [&](TimestampNs from, TimestampNs to) -> Status {
    for (TimestampNs h = FloorTo(from, kNanosPerHour); h < to; h += kNanosPerHour) {
      INFERSCOPE_ASSIGN_OR_RETURN(const RollupTable* t, DiskMinutes(h));
      add_range(*t, std::max(from, h), std::min(to, h + kNanosPerHour), CellLife::kVolatile);
    }
    return Status::Ok();
  };
  // Flushed data of [from, to) from the coarsest tier that fits: whole days, whole hours,
  // then minutes at the ragged edges.
  auto flushed = [&](TimestampNs from, TimestampNs to) -> Status {
    const TimestampNs d0 = CeilTo(from, kNanosPerDay);
    const TimestampNs d1 = FloorTo(to, kNanosPerDay);
    const TimestampNs h0 = CeilTo(from, kNanosPerHour);
    const TimestampNs h1 = FloorTo(to, kNanosPerHour);
    const RollupTable& hours = model_tier ? hour_model_ : hour_full_;
    if (d0 < d1) {
      add_range(model_tier ? day_model_ : day_full_, d0, d1, CellLife::kTier);
      add_range(hours, h0, d0, CellLife::kTier);
      add_range(hours, d1, h1, CellLife::kTier);
    } else if (h0 < h1) {
      add_range(hours, h0, h1, CellLife::kTier);
    } else {
      return disk_minutes(from, to);
    }
    if (from < h0) INFERSCOPE_RETURN_IF_ERROR(disk_minutes(from, h0));
    if (h1 < to) INFERSCOPE_RETURN_IF_ERROR(disk_minutes(h1, to));
    return Status::Ok();
  };
  for (TimestampNs bs = start; bs < end; bs += step) {
    const TimestampNs be = std::min(end, bs + step);
    if (groups != nullptr) last_group_count = groups->size();
    groups = &out.emplace_back(bs, std::vector<Group>()).second;
    INFERSCOPE_RETURN_IF_ERROR(flushed(bs, be));
    add_range(mem_->minutes, bs, be, CellLife::kQuery);
    if (imm_) add_range(imm_->minutes, bs, be, CellLife::kQuery);
  }
  std::vector<RollupRow> rows;
  rows.reserve(total_groups);
  for (auto& [bucket, bucket_groups] : out) {
    std::sort(bucket_groups.begin(), bucket_groups.end(),
              [](const Group& a, const Group& b) { return a.key < b.key; });
    for (Group& g : bucket_groups) {
      RollupRow& row = rows.emplace_back();
      row.start_ns = bucket;
      row.key = std::move(g.key);
      row.stats = std::move(g.stats);
      if (want_quantiles) {
        const DDSketch& sketch = g.single != nullptr ? *g.single : *g.merged;
        row.quantiles.reserve(q.quantiles.size());
        for (double quantile : q.quantiles) {
          if (sketch.count() == 0) {
            row.quantiles.push_back(std::nan(""));
          } else if (g.single_in_tier) {
            row.quantiles.push_back(MemoizedQuantile(sketch, quantile));
          } else {
            row.quantiles.push_back(sketch.Quantile(quantile));
          }
        }
      }
    }
  }
  return rows;
}

Result<std::vector<UserRollupRow>> EmbeddedStore::QueryUserRollups(const UserRollupQuery& q) {
  if (q.step_ns < 0 || q.step_ns % kNanosPerHour != 0) {
    return Status::InvalidArgument(
        "per-user rollup step must be a non-negative multiple of an hour");
  }
  const TimestampNs start = FloorTo(q.start_ns, kNanosPerHour);
  const TimestampNs end = CeilTo(q.end_ns, kNanosPerHour);
  if (end <= start) return std::vector<UserRollupRow>{};
  const int64_t step = q.step_ns == 0 ? end - start : q.step_ns;
  if ((end - start) / step > 100'000) {
    return Status::InvalidArgument("per-user rollup query over more than 100,000 buckets");
  }
  std::vector<UserRollupRow> rows;
  if (q.only) {
    // The wanted keys and about one "(other)" per model in each bucket: reserved, so that
    // ten thousand 200-byte rows are not copied again at each growth.
    rows.reserve(static_cast<size_t>((end - start) / step + 1) * (q.only->size() + 8));
  }
  // Names interned for the query (the tables read from disk may be evicted mid-query, so no
  // view into them is kept). Each (model id, user id) key the query returns gets a
  // destination: an accumulator slot that lives for the whole query (a bucket resets the
  // values, not the mapping), so tables that resolve a key once (per name pair or pool id)
  // then merge cells by array index, without hashing per cell.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> ids;
  std::vector<const std::string*> names;
  auto intern = [&](std::string_view name) -> uint32_t {
    auto it = ids.find(name);
    if (it == ids.end()) {
      it = ids.emplace(std::string(name), static_cast<uint32_t>(names.size())).first;
      names.push_back(&it->first);
    }
    return it->second;
  };
  const uint32_t all_models = intern("*");
  const uint32_t other_user = intern(UserRollupTable::kOtherUser);
  auto query_key = [](uint32_t model_id, uint32_t user_id) {
    return uint64_t{model_id} << 32 | user_id;
  };
  constexpr uint32_t kDropped = UINT32_MAX;        // a key the query does not return
  std::unordered_map<uint64_t, uint32_t> dest_of;  // query key -> destination
  std::vector<uint64_t> dest_key;                  // destination -> query key
  std::vector<UserCounters> sums;                  // per destination, this bucket
  std::vector<char> has;                           // per destination: merged this bucket
  std::vector<uint32_t> touched;                   // destinations merged this bucket
  auto new_dest = [&](uint64_t key) {
    const auto d = static_cast<uint32_t>(dest_key.size());
    dest_of.emplace(key, d);
    dest_key.push_back(key);
    sums.emplace_back();
    has.push_back(0);
    return d;
  };
  // The wanted keys (q.only) take the first destinations, in order.
  std::vector<std::pair<uint32_t, uint32_t>> only;  // (model id or all_models, user id)
  if (q.only) {
    for (const auto& [model, user] : *q.only) {
      const uint32_t m = q.by_model ? intern(model) : all_models;
      const uint32_t u = intern(user);
      if (dest_of.count(query_key(m, u)) == 0) {
        new_dest(query_key(m, u));
        only.emplace_back(m, u);
      }
    }
  }
  // The destination of a key (model id already all_models unless by_model).
  auto resolve = [&](uint64_t key) -> uint32_t {
    if (auto it = dest_of.find(key); it != dest_of.end()) return it->second;
    if (q.only) {
      if (!q.merge_rest) return kDropped;
      const uint64_t other = query_key(static_cast<uint32_t>(key >> 32), other_user);
      auto it = dest_of.find(other);
      return it != dest_of.end() ? it->second : new_dest(other);
    }
    return new_dest(key);
  };
  auto merge = [&](uint32_t d, const UserCounters& counters) {
    if (d == kDropped) return;
    if (has[d]) {
      sums[d].Merge(counters);
    } else {
      sums[d] = counters;
      has[d] = 1;
      touched.push_back(d);
    }
  };
  // The day tier: destinations per name pair of the table.
  std::vector<uint32_t> dest_of_pair;
  auto add_frozen = [&](const FrozenUserRollups& table, TimestampNs from, TimestampNs to) {
    const std::vector<std::string>& table_names = table.names();
    uint32_t wanted_model = UINT32_MAX;  // the table's index of q.model, if filtered
    if (q.model) {
      auto it = std::find(table_names.begin(), table_names.end(), *q.model);
      if (it == table_names.end()) return;
      wanted_model = static_cast<uint32_t>(it - table_names.begin());
    }
    dest_of_pair.assign(table.pairs().size(), kDropped - 1);  // kDropped - 1: not resolved yet
    const auto& cells = table.cells();
    for (size_t i = table.LowerBound(from); i < cells.size() && cells[i].start < to; ++i) {
      const FrozenUserRollups::Cell& cell = cells[i];
      if (q.model && cell.model != wanted_model) continue;
      uint32_t& d = dest_of_pair[cell.pair];
      if (d == kDropped - 1) {
        const uint32_t model_id = q.by_model ? intern(table_names[cell.model]) : all_models;
        d = resolve(query_key(model_id, intern(table_names[cell.user])));
      }
      merge(d, cell.counters);
    }
  };
  // Cached hours name cells by ids of user_names_: per pool id its query id, and the pool
  // ids of the wanted names, valid while the pool's generation is unchanged (an hour loaded
  // mid-query may evict others and free their names).
  std::vector<uint32_t> pool_xlate;                      // pool id -> query id
  std::vector<std::pair<uint32_t, uint32_t>> only_pool;  // per `only`: (model, user) pool ids
  uint32_t model_filter_pool = NamePool::kNotFound;      // q.model's pool id
  uint64_t pool_generation = UINT64_MAX;
  std::vector<uint32_t> only_hint;  // per `only` (by model): its cell's index in the last hour
  std::unordered_map<uint32_t, std::vector<size_t>> only_of_model;  // pool id -> `only` indices
  std::vector<size_t> all_only;                                     // 0 .. only.size() - 1
  std::vector<std::pair<size_t, uint32_t>> found;                   // (`only` index, cell)
  auto add_packed = [&](const PackedUserRollups& table) {
    if (pool_generation != user_names_.generation()) {
      pool_generation = user_names_.generation();
      pool_xlate.clear();
      only_pool.clear();
      only_of_model.clear();
      all_only.clear();
      only_hint.assign(only.size(), PackedUserRollups::kNotFound);
      for (size_t k = 0; k < only.size(); ++k) {
        const auto [m, u] = only[k];
        const uint32_t model = m == all_models ? NamePool::kNotFound : user_names_.Find(*names[m]);
        only_pool.emplace_back(model, user_names_.Find(*names[u]));
        if (model != NamePool::kNotFound) only_of_model[model].push_back(k);
        all_only.push_back(k);
      }
      if (q.model) model_filter_pool = user_names_.Find(*q.model);
    }
    if (q.model && model_filter_pool == NamePool::kNotFound) return;
    if (pool_xlate.size() < user_names_.id_limit()) {
      pool_xlate.resize(user_names_.id_limit(), UINT32_MAX);
    }
    auto id = [&](uint32_t pool_id) {
      if (pool_xlate[pool_id] == UINT32_MAX) {
        pool_xlate[pool_id] = intern(user_names_.Name(pool_id));
      }
      return pool_xlate[pool_id];
    };
    if (q.only) {
      // Per model of the hour: its wanted cells, each found by a search and decoded alone,
      // and (merge_rest) the model's total minus them as "(other)".
      static const std::vector<size_t> kNone;
      for (size_t mi = 0; mi < table.models().size(); ++mi) {
        const uint32_t model = table.models()[mi];
        if (q.model && model != model_filter_pool) continue;
        const std::vector<size_t>* keys = &all_only;
        if (q.by_model) {
          auto it = only_of_model.find(model);
          keys = it == only_of_model.end() ? &kNone : &it->second;
        }
        // Cells found first, their counters fetched while the next ones are searched, then
        // decoded: the hours of a month do not fit in the CPU caches.
        found.clear();
        if (q.by_model) {
          for (size_t k : *keys) table.PrefetchCell(only_hint[k]);
        }
        for (size_t k : *keys) {
          const uint32_t user = only_pool[k].second;
          if (user == NamePool::kNotFound) continue;
          const uint32_t cell =
              table.FindCell(model, user, q.by_model ? only_hint[k] : PackedUserRollups::kNotFound);
          if (cell == PackedUserRollups::kNotFound) continue;
          if (q.by_model) only_hint[k] = cell;
          table.Prefetch(cell);
          found.emplace_back(k, cell);
        }
        if (!q.merge_rest) {
          for (const auto& [k, cell] : found) merge(static_cast<uint32_t>(k), table.Counters(cell));
          continue;
        }
        UserCounters rest = table.model_total(mi);
        for (const auto& [k, cell] : found) {
          const UserCounters counters = table.Counters(cell);
          rest.Subtract(counters);
          merge(static_cast<uint32_t>(k), counters);  // the wanted keys' destinations are 0..
        }
        if (rest.requests > 0) {
          merge(resolve(query_key(q.by_model ? id(model) : all_models, other_user)), rest);
        }
      }
      return;
    }
    for (size_t i = 0; i < table.size(); ++i) {
      if (q.model && table.model_of(i) != model_filter_pool) continue;
      const uint32_t model_id = q.by_model ? id(table.model_of(i)) : all_models;
      merge(resolve(query_key(model_id, id(table.user_of(i)))), table.Counters(i));
    }
  };
  // Memtables and hours read without the cache: keys resolved per cell.
  auto add_range = [&](const UserRollupTable& table, TimestampNs from, TimestampNs to) {
    const std::string* last_model = nullptr;  // the previous cell's, with its id
    uint32_t last_model_id = 0;
    for (auto it = table.LowerBound(from); it != table.cells().end() && it->first.start < to;
         ++it) {
      const std::string& model = it->first.model;
      if (q.model && model != *q.model) continue;
      uint32_t model_id = all_models;
      if (q.by_model) {
        if (last_model == nullptr || *last_model != model) {
          last_model = &model;
          last_model_id = intern(model);
        }
        model_id = last_model_id;
      }
      merge(resolve(query_key(model_id, intern(it->first.user))), it->second);
    }
  };
  // Hours read back from segments: those of each bucket not covered by whole days.
  auto disk_hours = [&](TimestampNs bs, TimestampNs be, auto&& fn) -> Status {
    const TimestampNs d0 = CeilTo(bs, kNanosPerDay);
    const TimestampNs d1 = FloorTo(be, kNanosPerDay);
    for (TimestampNs h = bs; h < be; h += kNanosPerHour) {
      if (d0 < d1 && h >= d0 && h < d1) {
        h = d1 - kNanosPerHour;
        continue;
      }
      INFERSCOPE_RETURN_IF_ERROR(fn(h));
    }
    return Status::Ok();
  };
  size_t hours_to_read = 0;
  TimestampNs first_hour = 0;
  for (TimestampNs bs = start; bs < end; bs += step) {
    (void)disk_hours(bs, std::min(end, bs + step), [&](TimestampNs h) {
      if (hours_to_read++ == 0) first_hour = h;
      return Status::Ok();
    });
  }
  UserRollupTable uncached(kNanosPerHour);
  std::vector<uint32_t> rank;  // per name id: its position in name order
  std::lock_guard lk(state_mu_);
  // Scan resistance: a query reading more hours than the cache holds would evict every
  // cached hour (the recent ones dashboards ask for) and miss on each of its own; it reads
  // its hours without caching them instead. Hours are assumed to cost what the cached ones
  // do on average (an empty cache first loads the query's first hour to have an average).
  bool use_cache = hours_to_read > 0;
  if (use_cache && user_cache_.empty()) {
    INFERSCOPE_RETURN_IF_ERROR(DiskUsers(first_hour).status());
  }
  if (use_cache) {
    use_cache =
        hours_to_read * (user_cache_used_ / user_cache_.size()) <= options_.user_cache_bytes;
  }
  // Through the cache, every hour is looked up first (and loaded if missing), so that each
  // hour's data can be fetched from memory while the previous one is merged: a month of
  // hours does not fit in the CPU caches, and one hour's lookups are a chain of misses. The
  // hours are held by the query, so should they turn out larger than the cache (the
  // estimate above is an average), the query lets go of them and reads without the cache.
  std::vector<std::shared_ptr<const PackedUserRollups>> cached;
  size_t next_cached = 0;
  if (use_cache) {
    cached.reserve(hours_to_read);
    uint64_t held = 0;
    for (TimestampNs bs = start; bs < end && use_cache; bs += step) {
      INFERSCOPE_RETURN_IF_ERROR(
          disk_hours(bs, std::min(end, bs + step), [&](TimestampNs h) -> Status {
            if (!use_cache) return Status::Ok();
            INFERSCOPE_ASSIGN_OR_RETURN(auto table, DiskUsers(h));
            held += table->MemoryBytes();
            cached.push_back(std::move(table));
            if (held > options_.user_cache_bytes) use_cache = false;
            return Status::Ok();
          }));
    }
    if (!use_cache) cached.clear();
  }
  for (TimestampNs bs = start; bs < end; bs += step) {
    const TimestampNs be = std::min(end, bs + step);
    const TimestampNs d0 = CeilTo(bs, kNanosPerDay);
    const TimestampNs d1 = FloorTo(be, kNanosPerDay);
    // Flushed data: whole days from the day tier, the other hours from the segments.
    if (d0 < d1) {
      if (!day_users_frozen_) day_users_frozen_.emplace(day_users_);
      add_frozen(*day_users_frozen_, d0, d1);
    }
    Status read = disk_hours(bs, be, [&](TimestampNs h) -> Status {
      if (use_cache) {
        const PackedUserRollups& table = *cached[next_cached++];
        if (next_cached < cached.size()) {
          const PackedUserRollups& next = *cached[next_cached];
          next.PrefetchIndex();
          if (q.only && q.by_model) {
            for (uint32_t hint : only_hint) next.PrefetchCell(hint);
          }
        }
        add_packed(table);
      } else {
        uncached.Clear();
        INFERSCOPE_RETURN_IF_ERROR(ForEachSegmentOfHour(
            h, [&](const SegmentReader& reader) { return reader.ReadUserRollups(&uncached); }));
        add_range(uncached, h, h + kNanosPerHour);
      }
      return Status::Ok();
    });
    INFERSCOPE_RETURN_IF_ERROR(read);
    add_range(mem_->users, bs, be);
    if (imm_) add_range(imm_->users, bs, be);
    // Rows in name order: ids ranked by name (again only when names were added), then the
    // bucket's destinations sorted by rank, so that strings are compared once per name.
    if (rank.size() != names.size()) {
      std::vector<uint32_t> by_name(names.size());
      for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
      std::sort(by_name.begin(), by_name.end(),
                [&](uint32_t a, uint32_t b) { return *names[a] < *names[b]; });
      rank.resize(names.size());
      for (uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;
    }
    auto rank_key = [&](uint32_t d) {
      const uint64_t key = dest_key[d];
      return query_key(rank[key >> 32], rank[static_cast<uint32_t>(key)]);
    };
    std::sort(touched.begin(), touched.end(),
              [&](uint32_t a, uint32_t b) { return rank_key(a) < rank_key(b); });
    for (uint32_t d : touched) {
      const uint64_t key = dest_key[d];
      rows.push_back(
          UserRollupRow{bs, *names[key >> 32], *names[static_cast<uint32_t>(key)], sums[d]});
      has[d] = 0;
    }
    touched.clear();
  }
  return rows;
}

Result<ScanPage> EmbeddedStore::Scan(const ScanRequest& request) {
  if (request.limit == 0) return Status::InvalidArgument("scan limit must be >= 1");
  const bool newest_first = request.order == ScanOrder::kNewestFirst;
  const EventOrder order{newest_first};
  StoredEvent cursor;
  const bool has_cursor = !request.cursor.empty();
  if (has_cursor) {
    INFERSCOPE_RETURN_IF_ERROR(ParseScanCursor(request.cursor, &cursor.timestamp_ns, &cursor.id));
  }
  const EventFilter& filter = request.filter;
  auto wanted = [&](const StoredEvent& e) {
    return filter.Matches(e) && (!has_cursor || order(cursor, e));
  };
  const size_t keep = request.limit + 1;  // one more tells whether another page exists
  std::vector<StoredEvent> found;
  auto trim = [&] {
    if (found.size() > keep) {
      std::nth_element(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep - 1),
                       found.end(), order);
      found.resize(keep);
    }
  };
  // One consistent snapshot (memtables and segments as of the same instant), decoded and
  // read outside the lock.
  SegmentList segments;
  BatchList batches;
  {
    std::lock_guard lk(state_mu_);
    for (const Memtable* m : {mem_.get(), imm_.get()}) {
      if (m != nullptr) batches.insert(batches.end(), m->batches.begin(), m->batches.end());
    }
    segments = segments_;
  }
  // Batches that cannot hold a wanted event are skipped undecoded: outside the filter's time
  // range, wholly before the cursor, or wholly after the worst event kept once `keep` are
  // found (oldest first; mirrored newest first). Appends mostly arrive in time order, so
  // paging through a large memtable decodes about one page's batches per page, not all.
  TimestampNs worst_ts = newest_first ? std::numeric_limits<TimestampNs>::min()
                                      : std::numeric_limits<TimestampNs>::max();
  auto trim_and_bound = [&] {
    trim();
    if (found.size() == keep) {
      worst_ts = std::max_element(found.begin(), found.end(), order)->timestamp_ns;
    }
  };
  std::vector<StoredEvent> decoded;
  for (const MemBatch& b : batches) {
    if (b.max_ts < filter.start_ns || b.min_ts >= filter.end_ns) continue;
    if (has_cursor &&
        (newest_first ? b.min_ts > cursor.timestamp_ns : b.max_ts < cursor.timestamp_ns)) {
      continue;
    }
    if (newest_first ? b.max_ts < worst_ts : b.min_ts > worst_ts) continue;
    decoded.clear();
    INFERSCOPE_RETURN_IF_ERROR(DecodeEventBatch(*b.payload, b.seq, &decoded));
    for (StoredEvent& e : decoded) {
      if (!wanted(e)) continue;
      found.push_back(std::move(e));
      if (found.size() >= 2 * keep) trim_and_bound();
    }
  }
  trim();
  // Segments in scan order; stop once the next cannot hold anything better than the worst
  // event kept.
  std::erase_if(segments, [&](const std::shared_ptr<SegmentHandle>& h) {
    return h->meta.max_ts < filter.start_ns || h->meta.min_ts >= filter.end_ns ||
           (has_cursor && (newest_first ? h->meta.min_ts > cursor.timestamp_ns
                                        : h->meta.max_ts < cursor.timestamp_ns));
  });
  std::sort(segments.begin(), segments.end(), [&](const auto& a, const auto& b) {
    return newest_first ? a->meta.max_ts > b->meta.max_ts : a->meta.min_ts < b->meta.min_ts;
  });
  std::vector<StoredEvent> rows;
  for (const auto& h : segments) {
    if (found.size() == keep) {
      const auto worst = std::max_element(found.begin(), found.end(), order);
      const bool cannot_beat = newest_first ? h->meta.max_ts < worst->timestamp_ns
                                            : h->meta.min_ts > worst->timestamp_ns;
      if (cannot_beat) break;
    }
    INFERSCOPE_ASSIGN_OR_RETURN(auto reader, SegmentReader::OpenFile(h->path));
    rows.clear();
    INFERSCOPE_RETURN_IF_ERROR(reader->ReadEvents(&rows, wanted));
    for (auto& e : rows) found.push_back(std::move(e));
    trim();
  }
  std::sort(found.begin(), found.end(), order);
  ScanPage page;
  if (found.size() > request.limit) {
    found.resize(request.limit);
    page.next_cursor = FormatScanCursor(found.back().timestamp_ns, found.back().id);
  }
  page.events = std::move(found);
  return page;
}

StoreStats EmbeddedStore::stats() const {
  StoreStats s;
  std::lock_guard lk(state_mu_);
  s.segments = segments_.size();
  for (const auto& h : segments_) {
    s.segment_bytes += h->meta.bytes;
    s.segment_rows += h->meta.rows;
  }
  for (const Memtable* m : {mem_.get(), imm_.get()}) {
    if (m == nullptr) continue;
    s.memtable_events += m->events;
    s.memtable_bytes += m->bytes;
  }
  s.wal_bytes = wal_ ? wal_->bytes() : 0;
  s.flushes = flushes_;
  s.segments_dropped = segments_dropped_;
  s.stalled_appends = stalled_appends_;
  s.rejected_appends = rejected_appends_;
  s.user_cache_hours = user_cache_.size();
  s.user_cache_bytes = user_cache_used_ + user_names_.MemoryBytes();
  s.quantile_memo_entries = quantile_memo_.size();
  return s;
}

Status EmbeddedStore::background_status() const {
  std::lock_guard lk(state_mu_);
  return background_status_;
}

void EmbeddedStore::MaintenanceLoop() {
  std::unique_lock lk(bg_mu_);
  while (!stop_) {
    bg_cv_.wait_for(lk, std::chrono::nanoseconds(options_.maintenance_interval_ns),
                    [&] { return stop_ || flush_requested_; });
    if (stop_) break;
    const bool requested = std::exchange(flush_requested_, false);
    lk.unlock();
    Status st = requested ? Flush() : MaybeFlush();
    if (st.ok()) st = EnforceRetention();
    {
      std::lock_guard state_lock(state_mu_);
      if (!st.ok()) background_status_ = st;
    }
    flushed_cv_.notify_all();  // stalled appenders re-check, also after a failure
    lk.lock();
  }
}

}  // namespace inferscope
