#ifndef INFERSCOPE_STORE_USER_ROLLUP_TABLE_H_
#define INFERSCOPE_STORE_USER_ROLLUP_TABLE_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"
#include "stats/time_rollup.h"
#include "store/stored_event.h"
#include "store/user_counters.h"

namespace inferscope {

// Per-user aggregates (UserCounters: counters and sums, no sketches) per (bucket start,
// model, user), for buckets of a fixed width (an hour in the memtables and segments, a day
// for the in-memory day tier). Users are many, so a table can be capped: Cap keeps the
// busiest users of each (bucket, model) and merges the rest into kOtherUser. Ordered by
// time, then model, then user. Not thread-safe.
//
// Serialised into segments (docs/format/segment.md, "user rollup column").
class UserRollupTable {
 public:
  // The user under which capped-away users are merged (a name no real user id collides
  // with in practice; a real user of this name would be merged with them).
  static constexpr std::string_view kOtherUser = "(other)";

  struct Cell {
    TimestampNs start;
    std::string model;
    std::string user;
    auto operator<=>(const Cell&) const = default;
  };
  // Lookups by views, without building strings.
  struct CellView {
    TimestampNs start;
    std::string_view model;
    std::string_view user;
  };
  struct Less {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.start != b.start) return a.start < b.start;
      const int m = std::string_view(a.model).compare(std::string_view(b.model));
      if (m != 0) return m < 0;
      return std::string_view(a.user) < std::string_view(b.user);
    }
  };
  using Map = std::map<Cell, UserCounters, Less>;

  explicit UserRollupTable(int64_t width_ns = kNanosPerHour) : width_ns_(width_ns) {}

  void Add(const Event& event);
  void Add(const StoredEvent& event);
  // Merges `counters` into the cell of `start` (floored to the width), model and user.
  void Merge(TimestampNs start, std::string_view model, std::string_view user,
             const UserCounters& counters);
  // Merges every cell of `other`, re-bucketed to this table's (equal or coarser) width.
  void MergeFrom(const UserRollupTable& other);
  // Merges the cells of `other` with start in [from, to) (same width).
  void MergeRange(const UserRollupTable& other, TimestampNs from, TimestampNs to);
  // Drops cells with start in [from, to).
  void EraseRange(TimestampNs from, TimestampNs to);
  // Keeps, per (bucket, model), the max_users users with the most requests (ties: by name)
  // and merges the others into kOtherUser (which is never counted as a kept user).
  // max_users >= 1.
  void Cap(size_t max_users);

  const Map& cells() const { return cells_; }
  Map::const_iterator LowerBound(TimestampNs start) const;
  int64_t width_ns() const { return width_ns_; }
  bool empty() const { return cells_.empty(); }
  void Clear() { cells_.clear(); }
  size_t size() const { return cells_.size(); }
  TimestampNs BucketStart(TimestampNs ts) const { return FloorDiv(ts, width_ns_) * width_ns_; }

  // Appends the encoding of every cell.
  void Serialize(std::string* out) const;
  // Merges an encoded table into this one. Validates everything (width, alignment, string
  // indices, counters); DataLoss on malformed bytes, leaving this table unchanged.
  Status MergeSerialized(std::string_view bytes);

 private:
  int64_t width_ns_;
  Map cells_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_USER_ROLLUP_TABLE_H_
