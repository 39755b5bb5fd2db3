#include "store/event_batch_codec.h"

#include <fmt/format.h>

#include <bit>
#include <functional>

#include "store/byte_io.h"

namespace inferscope {
namespace {

constexpr uint8_t kBatchVersion = 1;
// ts (1) + status (1) + mask (1) + 10 empty strings + attribute count (1).
constexpr size_t kMinEncodedEvent = 14;
constexpr uint32_t kAllFields = (1u << kEventFieldCount) - 1;

template <typename E, typename Strings, typename Attrs>
void EncodeOne(const E& e, uint32_t mask, const Strings& strings, const Attrs& attrs,
               ByteSink& sink) {
  sink.SignedVarint(e.timestamp_ns);
  sink.U8(static_cast<uint8_t>(e.status));
  sink.Varint(mask);
  for (int f = 0; f < kEventFieldCount; ++f) {
    if ((mask >> f) & 1u) sink.F64(e.Get(static_cast<EventField>(f)));
  }
  for (const auto& s : strings) sink.Str(s);
  sink.Varint(attrs.size());
  for (const auto& [k, v] : attrs) {
    sink.Str(k);
    sink.Str(v);
  }
}

}  // namespace

void EncodeEventBatch(std::span<const StoredEvent> events, std::string* out,
                      std::vector<uint32_t>* row_offsets) {
  ByteSink sink(out);
  sink.U8(kBatchVersion);
  sink.Varint(events.size());
  std::string_view strings[kStoredStringCount];
  for (const auto& e : events) {
    if (row_offsets != nullptr) row_offsets->push_back(static_cast<uint32_t>(out->size()));
    for (int i = 0; i < kStoredStringCount; ++i) strings[i] = e.*kStoredStrings[i];
    EncodeOne(e, e.present & kAllFields, strings, e.attributes, sink);
  }
}

void EncodeEventBatch(std::span<const Event> events, std::string* out,
                      std::vector<uint32_t>* row_offsets) {
  ByteSink sink(out);
  sink.U8(kBatchVersion);
  sink.Varint(events.size());
  for (const auto& e : events) {
    if (row_offsets != nullptr) row_offsets->push_back(static_cast<uint32_t>(out->size()));
    const std::string_view strings[kStoredStringCount] = {
        e.request_id, e.model,   e.status_text, e.cache_tier, e.task_type,
        e.user,       e.service, e.trace_id,    e.span_id,    e.parent_span_id};
    EncodeOne(e, e.present_mask() & kAllFields, strings, e.attributes, sink);
  }
}

namespace {

// The batch header: version, then the event count (bounded by what the bytes could hold).
Status ReadBatchHeader(ByteSource& src, uint64_t* count) {
  uint8_t version = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.U8(&version));
  if (version != kBatchVersion) {
    return Status::DataLoss(fmt::format("unknown event batch version {}", version));
  }
  return src.BoundedVarint(
      std::min<uint64_t>(kMaxEventsPerBatch, src.remaining() / kMinEncodedEvent), count,
      "event count");
}

// Decodes the row at `src`'s position, advancing past it.
Status DecodeRow(ByteSource& src, std::string_view payload, EventRowView* row) {
  int64_t ts = 0;
  uint8_t status = 0;
  uint64_t mask = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.SignedVarint(&ts));
  INFERSCOPE_RETURN_IF_ERROR(src.U8(&status));
  if (status > static_cast<uint8_t>(EventStatus::kTimeout)) {
    return Status::DataLoss(fmt::format("bad status {}", status));
  }
  INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(kAllFields, &mask, "field mask"));
  row->timestamp_ns = ts;
  row->status = static_cast<EventStatus>(status);
  row->present = static_cast<uint32_t>(mask);
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (((mask >> f) & 1u) == 0) continue;
    INFERSCOPE_RETURN_IF_ERROR(src.F64(&row->values[f]));
  }
  for (std::string_view& s : row->strings) INFERSCOPE_RETURN_IF_ERROR(src.Str(&s));
  const size_t attributes_begin = src.offset();
  INFERSCOPE_RETURN_IF_ERROR(
      src.BoundedVarint(src.remaining() / 2, &row->attribute_count, "attribute count"));
  for (uint64_t a = 0; a < row->attribute_count; ++a) {
    std::string_view k, v;
    INFERSCOPE_RETURN_IF_ERROR(src.Str(&k));
    INFERSCOPE_RETURN_IF_ERROR(src.Str(&v));
  }
  row->encoded_attributes = payload.substr(attributes_begin, src.offset() - attributes_begin);
  return Status::Ok();
}

}  // namespace

Status ForEachEventRow(std::string_view payload, uint64_t wal_seq,
                       const std::function<void(const EventRowView&, size_t offset)>& fn) {
  ByteSource src(payload);
  uint64_t count = 0;
  INFERSCOPE_RETURN_IF_ERROR(ReadBatchHeader(src, &count));
  EventRowView row;
  for (uint64_t i = 0; i < count; ++i) {
    const size_t offset = src.offset();
    row.id = MakeEventId(wal_seq, i);
    if (Status st = DecodeRow(src, payload, &row); !st.ok()) {
      return st.WithContext(fmt::format("event {} of {}", i, count));
    }
    fn(row, offset);
  }
  if (src.remaining() != 0) {
    return Status::DataLoss(
        fmt::format("{} trailing bytes after {} events", src.remaining(), count));
  }
  return Status::Ok();
}

Status DecodeEventRowAt(std::string_view payload, size_t offset, uint64_t id, EventRowView* row) {
  if (offset > payload.size()) {
    return Status::DataLoss(
        fmt::format("row offset {} past the {}-byte payload", offset, payload.size()));
  }
  // The source spans the whole payload so the row's views and offsets are the payload's.
  ByteSource src(payload);
  std::string_view skipped;
  INFERSCOPE_RETURN_IF_ERROR(src.View(offset, &skipped));
  row->id = id;
  return DecodeRow(src, payload, row);
}

Status DecodeEventBatch(std::string_view payload, uint64_t wal_seq, std::vector<StoredEvent>* out) {
  ByteSource header(payload);
  uint64_t count = 0;
  INFERSCOPE_RETURN_IF_ERROR(ReadBatchHeader(header, &count));
  out->reserve(out->size() + count);
  return ForEachEventRow(payload, wal_seq, [&](const EventRowView& row, size_t) {
    StoredEvent e;
    e.id = row.id;
    e.timestamp_ns = row.timestamp_ns;
    e.status = row.status;
    for (int f = 0; f < kEventFieldCount; ++f) {
      if ((row.present >> f) & 1u) e.Set(static_cast<EventField>(f), row.values[f]);
    }
    for (int i = 0; i < kStoredStringCount; ++i) e.*kStoredStrings[i] = row.strings[i];
    // Already validated by DecodeRow: the pairs after the count.
    ByteSource attrs(row.encoded_attributes);
    uint64_t n = 0;
    (void)attrs.Varint(&n);
    e.attributes.reserve(n);
    for (uint64_t a = 0; a < n; ++a) {
      std::string_view k, v;
      (void)attrs.Str(&k);
      (void)attrs.Str(&v);
      e.attributes.emplace_back(k, v);
    }
    out->push_back(std::move(e));
  });
}

}  // namespace inferscope
