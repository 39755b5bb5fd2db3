// libFuzzer target for the segment reader (store/segment_reader.h), including the column
// decoders, rollup tables and DDSketch/BucketStats loading. The first byte picks the mode:
//   even: the input is a whole segment file (trailer, footer, CRCs, zstd frames);
//   odd:  the input is split into column contents (u16 length prefixes) that are framed
//         with valid CRCs by AssembleSegment, so mutations reach the decoders behind them.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/rollup_table.h"
#include "store/segment_format.h"
#include "store/segment_reader.h"
#include "store/segment_writer.h"

namespace {

constexpr uint32_t kColumnIds[] = {
    inferscope::kTimestampColumn,      inferscope::kIdColumn,
    inferscope::kStatusColumn,         inferscope::kPresenceColumn,
    inferscope::kValueColumnBase + 0,  inferscope::kValueColumnBase + 1,
    inferscope::kValueColumnBase + 2,  inferscope::kValueColumnBase + 3,
    inferscope::kValueColumnBase + 4,  inferscope::kValueColumnBase + 5,
    inferscope::kValueColumnBase + 6,  inferscope::kValueColumnBase + 7,
    inferscope::kValueColumnBase + 8,  inferscope::kValueColumnBase + 9,
    inferscope::kValueColumnBase + 10, inferscope::kValueColumnBase + 11,
    inferscope::kStringColumnBase + 0, inferscope::kStringColumnBase + 1,
    inferscope::kStringColumnBase + 2, inferscope::kStringColumnBase + 3,
    inferscope::kStringColumnBase + 4, inferscope::kStringColumnBase + 5,
    inferscope::kStringColumnBase + 6, inferscope::kStringColumnBase + 7,
    inferscope::kStringColumnBase + 8, inferscope::kStringColumnBase + 9,
    inferscope::kAttributeColumn,      inferscope::kMinuteRollupColumn,
    inferscope::kHourRollupColumn};

void ReadEverything(std::string_view bytes) {
  inferscope::SegmentReader::Options options;
  options.max_column_bytes = 8u << 20;
  auto reader = inferscope::SegmentReader::OpenBytes(bytes, options);
  if (!reader.ok()) return;
  std::vector<inferscope::StoredEvent> events;
  if ((*reader)->ReadEvents(&events).ok() && events.size() != (*reader)->info().rows) {
    __builtin_trap();
  }
  inferscope::RollupTable minutes(inferscope::kNanosPerMinute);
  (void)(*reader)->ReadMinuteRollups(&minutes);
  inferscope::RollupTable hours(inferscope::kNanosPerHour);
  (void)(*reader)->ReadHourRollups(&hours);
  for (const auto& [cell, stats] : hours.cells()) {
    (void)stats.latency_ms.Quantile(0.99);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    ReadEverything(rest);
    return 0;
  }
  // Header: u8 rows, then per column: u16 length + bytes, in kColumnIds order.
  if (rest.empty()) return 0;
  inferscope::SegmentInfo info;
  info.partition_start_ns = 0;
  info.rows = static_cast<uint8_t>(rest[0]);
  info.min_ts = 0;
  info.max_ts = info.rows == 0 ? 0 : 1000;
  rest.remove_prefix(1);
  std::vector<std::pair<uint32_t, std::string>> columns;
  for (uint32_t id : kColumnIds) {
    if (rest.size() < 2) break;
    uint16_t len = 0;
    std::memcpy(&len, rest.data(), 2);
    rest.remove_prefix(2);
    len = static_cast<uint16_t>(len > rest.size() ? rest.size() : len);
    columns.emplace_back(id, std::string(rest.substr(0, len)));
    rest.remove_prefix(len);
  }
  const std::string file = inferscope::AssembleSegment(info, columns, data[0] & 2 ? 1 : 0);
  ReadEverything(file);
  return 0;
}
