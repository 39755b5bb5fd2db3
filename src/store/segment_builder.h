#ifndef INFERSCOPE_STORE_SEGMENT_BUILDER_H_
#define INFERSCOPE_STORE_SEGMENT_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/event_row_view.h"
#include "store/rollup_table.h"
#include "store/segment_format.h"
#include "store/user_rollup_table.h"

namespace inferscope {

// Builds one segment (docs/format/segment.md) a row at a time: each row is appended to every
// column buffer as it arrives (one pass over the rows, each read once), strings go through a
// per-column open-addressing dictionary, and attributes are copied as their encoded bytes.
// Finish frames the columns (zstd, CRC, footer) with AssembleSegment.
//
// Rows must arrive sorted by (timestamp_ns, id) and lie in the partition; the row's views are
// copied, so they need to live only during Add. Memory: the column buffers (about the rows'
// encoded size) plus 8 bytes per distinct string per column. Not thread-safe.
class SegmentBuilder {
 public:
  SegmentBuilder();

  void Add(const EventRowView& row);
  uint64_t rows() const { return rows_; }

  // The segment bytes, with info.rows/min_ts/max_ts filled from the rows added; `minutes`
  // and `hours` must hold the rollups of exactly those rows, `users` (optional: no user
  // rollup column when null) their per-user hourly counters. Leaves the builder empty.
  std::string Finish(SegmentInfo info, const RollupTable& minutes, const RollupTable& hours,
                     int zstd_level, const UserRollupTable* users = nullptr);

 private:
  // Dictionary encoding of one string column: distinct values in first-seen order, encoded
  // as the column's prefix, plus one varint index per row.
  class StringColumn {
   public:
    void Add(std::string_view value);
    // Varint(distinct count), the values (Str each), then the indices.
    std::string Take();

   private:
    uint32_t Find(std::string_view value, uint64_t hash);
    void Grow();
    std::string values_;  // Str-encoded distinct values, in first-seen order
    std::vector<std::pair<size_t, uint32_t>> spans_;  // per index: (offset, length) in values_
    std::vector<uint32_t> slots_;  // 1 + index, 0 = free; power-of-two size, <= half full
    std::vector<uint32_t> slot_hashes_;
    std::string indices_;
    uint32_t last_index_ = UINT32_MAX;  // the previous row's value, compared first
  };

  uint64_t rows_ = 0;
  TimestampNs min_ts_ = 0;
  TimestampNs prev_ts_ = 0;
  uint64_t prev_id_ = 0;
  std::string timestamps_, ids_, statuses_, presence_, attributes_;
  std::string values_[kEventFieldCount];
  StringColumn strings_[kStoredStringCount];
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_SEGMENT_BUILDER_H_
