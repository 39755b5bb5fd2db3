#ifndef INFERSCOPE_STORE_EVENT_ROW_VIEW_H_
#define INFERSCOPE_STORE_EVENT_ROW_VIEW_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/event.h"
#include "store/stored_event.h"

namespace inferscope {

// One stored event's fields without owning them: what a WAL payload row decodes to in place
// (event_batch_codec.h) and what SegmentBuilder takes. The views point into the payload (or
// into the StoredEvent and scratch buffer it was made from) and are valid while those live.
struct EventRowView {
  uint64_t id = 0;
  TimestampNs timestamp_ns = 0;
  EventStatus status = EventStatus::kOk;
  uint32_t present = 0;                          // bit f set when numeric field f is present
  double values[kEventFieldCount] = {};          // meaningful where present
  std::string_view strings[kStoredStringCount];  // in kStoredStrings order
  uint64_t attribute_count = 0;
  // The attributes exactly as the WAL row and the segment's attribute column spell them:
  // varint count, then (varint length, key bytes, varint length, value bytes) per pair.
  std::string_view encoded_attributes;

  // A view of `event`; its attributes are encoded into `*scratch` (overwritten), which must
  // outlive the view.
  static EventRowView Of(const StoredEvent& event, std::string* scratch);
  // The row as an Event whose views point where this row's do; attributes are left out
  // (they stay encoded), which is all rollups need.
  Event ToEventWithoutAttributes() const;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_EVENT_ROW_VIEW_H_
