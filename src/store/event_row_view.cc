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

}  // namespace inferscope
