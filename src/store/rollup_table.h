#ifndef INFERSCOPE_STORE_ROLLUP_TABLE_H_
#define INFERSCOPE_STORE_ROLLUP_TABLE_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "stats/bucket_stats.h"
#include "store/stored_event.h"

namespace inferscope {

// The dimensions rollups are kept per. "" = the event did not carry the dimension.
struct RollupKey {
  std::string model;
  std::string task_type;
  std::string cache_tier;
  auto operator<=>(const RollupKey&) const = default;
};

// Aggregates (BucketStats: counters, sums, latency DDSketch) per (bucket start, key), for
// buckets of a fixed width (a minute for raw rollups, an hour for the hour tier). Ordered by
// time, then key. Not thread-safe.
//
// Serialised into segments (docs/format/segment.md, "rollup column").
class RollupTable {
 public:
  struct Cell {
    TimestampNs start;
    RollupKey key;
    auto operator<=>(const Cell&) const = default;
  };
  using Map = std::map<Cell, BucketStats>;

  explicit RollupTable(int64_t width_ns = kNanosPerMinute) : width_ns_(width_ns) {}

  void Add(const StoredEvent& event);
  void Add(const Event& event);
  // Merges `stats` into the cell of `start` (floored to the width) and `key`.
  void Merge(TimestampNs start, const RollupKey& key, const BucketStats& stats);
  // Merges every cell of `other`, re-bucketed to this table's (equal or coarser) width.
  void MergeFrom(const RollupTable& other);
  // Merges the cells of `other` with start in [from, to).
  void MergeRange(const RollupTable& other, TimestampNs from, TimestampNs to);

  const Map& cells() const { return cells_; }
  Map::const_iterator LowerBound(TimestampNs start) const;
  int64_t width_ns() const { return width_ns_; }
  bool empty() const { return cells_.empty(); }
  size_t size() const { return cells_.size(); }
  void Clear() {
    cells_.clear();
    last_ = nullptr;
  }
  // Drops cells with start in [from, to).
  void EraseRange(TimestampNs from, TimestampNs to);

  // Appends the encoding of the cells with start in [from, to).
  void Serialize(std::string* out, TimestampNs from = INT64_MIN, TimestampNs to = INT64_MAX) const;
  // Merges an encoded table into this one. Validates everything (width, bucket alignment,
  // key indices, sketches); DataLoss on malformed bytes, leaving this table unchanged.
  Status MergeSerialized(std::string_view bytes);

  TimestampNs BucketStart(TimestampNs ts) const;

 private:
  BucketStats& Slot(TimestampNs start, std::string_view model, std::string_view task_type,
                    std::string_view cache_tier);
  int64_t width_ns_;
  Map cells_;
  // One-entry cache of the last cell written: consecutive events usually share it.
  BucketStats* last_ = nullptr;
  Cell last_cell_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_ROLLUP_TABLE_H_
