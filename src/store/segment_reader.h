#ifndef INFERSCOPE_STORE_SEGMENT_READER_H_
#define INFERSCOPE_STORE_SEGMENT_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/rollup_table.h"
#include "store/segment_format.h"
#include "store/stored_event.h"
#include "store/user_rollup_table.h"

namespace inferscope {

// Reads a segment (docs/format/segment.md) from a file (pread) or from bytes in memory.
// Open reads and validates only the trailer and footer; columns are read, CRC-checked and
// decompressed on demand. Every length, offset, count and index is checked against the
// bytes it points into, so a corrupt or hostile file yields DataLoss naming what is wrong,
// never a crash or an allocation beyond `max_column_bytes` per column.
//
// Thread-safe after Open (reads use pread; no mutable state).
class SegmentReader {
 public:
  struct Options {
    uint64_t max_column_bytes = uint64_t{1} << 30;  // decompressed size limit per column
  };

  static Result<std::unique_ptr<SegmentReader>> OpenFile(const std::string& path,
                                                         const Options& options);
  static Result<std::unique_ptr<SegmentReader>> OpenFile(const std::string& path) {
    return OpenFile(path, Options{});
  }
  // `bytes` must outlive the reader.
  static Result<std::unique_ptr<SegmentReader>> OpenBytes(std::string_view bytes,
                                                          const Options& options);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  const SegmentInfo& info() const { return info_; }
  uint64_t file_bytes() const { return size_; }

  // Decides from a partly decoded row (timestamp, id, status, numeric fields, model and
  // trace_id set; the other strings and attributes still empty) whether to keep it.
  using RowFilter = std::function<bool(const StoredEvent&)>;

  // Appends every row, in (timestamp, id) order.
  Status ReadEvents(std::vector<StoredEvent>* out) const { return ReadEvents(out, nullptr); }
  // Appends the rows `keep` accepts (all when null). The remaining string columns and the
  // attributes are materialised only for kept rows, and not read at all when none is kept.
  Status ReadEvents(std::vector<StoredEvent>* out, const RowFilter& keep) const;
  // Merge the segment's minute / hour rollups into `into` (whose width must match).
  Status ReadMinuteRollups(RollupTable* into) const;
  Status ReadHourRollups(RollupTable* into) const;
  // Merge the segment's per-user hourly counters into `into` (an hour or coarser width).
  // Segments written before the column existed have none: ok, nothing merged.
  Status ReadUserRollups(UserRollupTable* into) const;
  bool has_user_rollups() const { return columns_.count(kUserRollupColumn) != 0; }

 private:
  struct Column {
    uint8_t codec;
    uint64_t offset;
    uint64_t stored_len;
    uint64_t raw_len;
    uint32_t crc;
  };
  SegmentReader() = default;
  Status ReadRange(uint64_t offset, uint64_t n, std::string* out) const;
  Status ParseFooter();
  Result<std::string> ReadColumn(uint32_t id) const;

  Options options_;
  int fd_ = -1;
  std::string path_;
  std::string_view mem_;
  uint64_t size_ = 0;
  SegmentInfo info_;
  std::map<uint32_t, Column> columns_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_SEGMENT_READER_H_
