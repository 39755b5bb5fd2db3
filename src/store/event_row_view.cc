#include "store/event_row_view.h"

#include "store/byte_io.h"

namespace inferscope {

EventRowView EventRowView::Of(const StoredEvent& event, std::string* scratch) {
  EventRowView row;
  row.id = event.id;
  row.timestamp_ns = event.timestamp_ns;
  row.status = event.status;
  row.present = event.present & ((1u << kEventFieldCount) - 1);
  for (int f = 0; f < kEventFieldCount; ++f) row.values[f] = event.values[f];
  for (int i = 0; i < kStoredStringCount; ++i) row.strings[i] = event.*kStoredStrings[i];
  scratch->clear();
  ByteSink sink(scratch);
  sink.Varint(event.attributes.size());
  for (const auto& [k, v] : event.attributes) {
    sink.Str(k);
    sink.Str(v);
  }
  row.attribute_count = event.attributes.size();
  row.encoded_attributes = *scratch;
  return row;
}

Event EventRowView::ToEventWithoutAttributes() const {
  Event e;
  e.timestamp_ns = timestamp_ns;
  e.status = status;
  e.request_id = strings[0];
  e.model = strings[1];
  e.status_text = strings[2];
  e.cache_tier = strings[3];
  e.task_type = strings[4];
  e.user = strings[5];
  e.service = strings[6];
  e.trace_id = strings[7];
  e.span_id = strings[8];
  e.parent_span_id = strings[9];
  for (int f = 0; f < kEventFieldCount; ++f) {
    if ((present >> f) & 1u) e.Set(static_cast<EventField>(f), values[f]);
  }
  return e;
}

}  // namespace inferscope
