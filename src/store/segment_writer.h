#ifndef INFERSCOPE_STORE_SEGMENT_WRITER_H_
#define INFERSCOPE_STORE_SEGMENT_WRITER_H_

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/rollup_table.h"
#include "store/segment_format.h"
#include "store/stored_event.h"
#include "store/user_rollup_table.h"

namespace inferscope {

// Builds the bytes of one immutable segment (docs/format/segment.md): the events of one time
// partition, column by column (delta-encoded timestamps and ids, dictionary-encoded strings,
// doubles per field), each column a zstd frame with a CRC-32C, plus the partition's minute
// and hour rollups, then a footer indexing the columns.
//
// `events` must be sorted by (timestamp_ns, id) and lie in the partition; `minutes` and
// `hours` hold the rollups of exactly those events, `users` (optional) their per-user hourly
// counters. `info.rows/min_ts/max_ts` are filled
// from `events`. Pure function; a SegmentBuilder fed EventRowView::Of each event (the store's
// flush feeds it rows straight from WAL payloads instead).
std::string BuildSegment(SegmentInfo info, std::span<const StoredEvent* const> events,
                         const RollupTable& minutes, const RollupTable& hours, int zstd_level = 3,
                         const UserRollupTable* users = nullptr);

// Frames column contents into a segment: zstd (when it helps) and CRC per column, then the
// footer and trailer. BuildSegment's back end; exposed for tools and fuzzing, which need
// well-framed files around arbitrary column bytes. zstd_level < 1 stores columns raw.
std::string AssembleSegment(const SegmentInfo& info,
                            const std::vector<std::pair<uint32_t, std::string>>& columns,
                            int zstd_level = 3);

// Writes a segment file and fdatasyncs it (the directory entry is made durable by the
// manifest write that follows).
Status WriteSegmentFile(const std::string& path, std::string_view bytes);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_SEGMENT_WRITER_H_
