#ifndef INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_
#define INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/event_row_view.h"
#include "store/stored_event.h"

namespace inferscope {

// The payload of one WAL record: a batch of events in a compact row encoding (varints,
// length-prefixed strings, only the numeric fields present). Format: docs/format/wal.md.
// Event ids are not encoded; they follow from the record's sequence number and the index.

// Appends the encoding of `events` to `out`. At most kMaxEventsPerBatch events. When
// `row_offsets` is given, each event's row offset in `*out` (as ForEachEventRow reports it,
// for DecodeEventRowAt) is appended to it.
void EncodeEventBatch(std::span<const StoredEvent> events, std::string* out,
                      std::vector<uint32_t>* row_offsets = nullptr);
void EncodeEventBatch(std::span<const Event> events, std::string* out,
                      std::vector<uint32_t>* row_offsets = nullptr);

// Decodes a payload, appending its events to `out` with ids MakeEventId(wal_seq, i).
// Malformed bytes are DataLoss naming the event index and offset; on error `out` keeps
// the events decoded before the bad one.
Status DecodeEventBatch(std::string_view payload, uint64_t wal_seq, std::vector<StoredEvent>* out);

// Decodes a payload row by row without copying: fn gets each row (views into `payload`,
// valid during the call) and the row's byte offset in the payload, in order. Errors as
// DecodeEventBatch's; fn has seen the rows before the bad one.
Status ForEachEventRow(std::string_view payload, uint64_t wal_seq,
                       const std::function<void(const EventRowView&, size_t offset)>& fn);

// Decodes the one row at `offset` (as given by ForEachEventRow) with id `id`; the views point
// into `payload`.
Status DecodeEventRowAt(std::string_view payload, size_t offset, uint64_t id, EventRowView* row);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_
