#ifndef INFERSCOPE_STORE_SEGMENT_FORMAT_H_
#define INFERSCOPE_STORE_SEGMENT_FORMAT_H_

#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "core/event.h"
#include "store/stored_event.h"

namespace inferscope {

// Constants of the segment file format (docs/format/segment.md).
inline constexpr std::string_view kSegmentMagic = "ISSEGv01";  // 8 bytes, at both ends
inline constexpr uint32_t kSegmentVersion = 1;
inline constexpr size_t kSegmentTrailerBytes = 16;  // u32 footer length, u32 CRC, magic

enum class SegmentCodec : uint8_t { kRaw = 0, kZstd = 1 };

// Column ids. Values of numeric field f are column kValueColumnBase + f; string field i (in
// kStoredStrings order) is kStringColumnBase + i.
inline constexpr uint32_t kTimestampColumn = 1;
inline constexpr uint32_t kIdColumn = 2;
inline constexpr uint32_t kStatusColumn = 3;
inline constexpr uint32_t kPresenceColumn = 4;
inline constexpr uint32_t kValueColumnBase = 16;
inline constexpr uint32_t kStringColumnBase = 32;
inline constexpr uint32_t kAttributeColumn = 48;
inline constexpr uint32_t kMinuteRollupColumn = 64;
inline constexpr uint32_t kHourRollupColumn = 65;
// Optional (segments written before it have none): per-user hourly counters.
inline constexpr uint32_t kUserRollupColumn = 66;

// What a segment's footer says about it.
struct SegmentInfo {
  TimestampNs partition_start_ns = 0;
  int64_t partition_width_ns = kNanosPerHour;
  uint64_t rows = 0;
  TimestampNs min_ts = 0;  // of the rows; meaningless when rows == 0
  TimestampNs max_ts = 0;
  uint64_t wal_seq_hi = 0;  // highest WAL sequence number whose events it holds
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_SEGMENT_FORMAT_H_
