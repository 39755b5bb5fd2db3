#ifndef INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_
#define INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/stored_event.h"

namespace inferscope {

// The payload of one WAL record: a batch of events in a compact row encoding (varints,
// length-prefixed strings, only the numeric fields present). Format: docs/format/wal.md.
// Event ids are not encoded; they follow from the record's sequence number and the index.

// Appends the encoding of `events` to `out`. At most kMaxEventsPerBatch events.
void EncodeEventBatch(std::span<const StoredEvent> events, std::string* out);
void EncodeEventBatch(std::span<const Event> events, std::string* out);

// Decodes a payload, appending its events to `out` with ids MakeEventId(wal_seq, i).
// Malformed bytes are DataLoss naming the event index and offset; on error `out` keeps
// the events decoded before the bad one.
Status DecodeEventBatch(std::string_view payload, uint64_t wal_seq, std::vector<StoredEvent>* out);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_EVENT_BATCH_CODEC_H_
