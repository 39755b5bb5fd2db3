#include "store/event_batch_codec.h"

#include <fmt/format.h>

#include <bit>

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

void EncodeEventBatch(std::span<const StoredEvent> events, std::string* out) {
  ByteSink sink(out);
  sink.U8(kBatchVersion);
  sink.Varint(events.size());
  std::string_view strings[kStoredStringCount];
  for (const auto& e : events) {
    for (int i = 0; i < kStoredStringCount; ++i) strings[i] = e.*kStoredStrings[i];
    EncodeOne(e, e.present & kAllFields, strings, e.attributes, sink);
  }
}

void EncodeEventBatch(std::span<const Event> events, std::string* out) {
  ByteSink sink(out);
  sink.U8(kBatchVersion);
  sink.Varint(events.size());
  for (const auto& e : events) {
    const std::string_view strings[kStoredStringCount] = {
        e.request_id, e.model,   e.status_text, e.cache_tier, e.task_type,
        e.user,       e.service, e.trace_id,    e.span_id,    e.parent_span_id};
    EncodeOne(e, e.present_mask() & kAllFields, strings, e.attributes, sink);
  }
}

Status DecodeEventBatch(std::string_view payload, uint64_t wal_seq, std::vector<StoredEvent>* out) {
  ByteSource src(payload);
  uint8_t version = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.U8(&version));
  if (version != kBatchVersion) {
    return Status::DataLoss(fmt::format("unknown event batch version {}", version));
  }
  uint64_t count = 0;
  INFERSCOPE_RETURN_IF_ERROR(
      src.BoundedVarint(std::min<uint64_t>(kMaxEventsPerBatch, src.remaining() / kMinEncodedEvent),
                        &count, "event count"));
  out->reserve(out->size() + count);
  for (uint64_t i = 0; i < count; ++i) {
    auto fail = [&](const Status& st) {
      return st.WithContext(fmt::format("event {} of {}", i, count));
    };
    StoredEvent e;
    e.id = MakeEventId(wal_seq, i);
    int64_t ts = 0;
    uint8_t status = 0;
    uint64_t mask = 0;
    if (Status st = src.SignedVarint(&ts); !st.ok()) return fail(st);
    if (Status st = src.U8(&status); !st.ok()) return fail(st);
    if (status > static_cast<uint8_t>(EventStatus::kTimeout)) {
      return fail(Status::DataLoss(fmt::format("bad status {}", status)));
    }
    if (Status st = src.BoundedVarint(kAllFields, &mask, "field mask"); !st.ok()) return fail(st);
    e.timestamp_ns = ts;
    e.status = static_cast<EventStatus>(status);
    for (int f = 0; f < kEventFieldCount; ++f) {
      if (((mask >> f) & 1u) == 0) continue;
      double v = 0;
      if (Status st = src.F64(&v); !st.ok()) return fail(st);
      e.Set(static_cast<EventField>(f), v);
    }
    for (auto member : kStoredStrings) {
      std::string_view s;
      if (Status st = src.Str(&s); !st.ok()) return fail(st);
      e.*member = s;
    }
    uint64_t attrs = 0;
    if (Status st = src.BoundedVarint(src.remaining() / 2, &attrs, "attribute count"); !st.ok()) {
      return fail(st);
    }
    e.attributes.reserve(attrs);
    for (uint64_t a = 0; a < attrs; ++a) {
      std::string_view k, v;
      if (Status st = src.Str(&k); !st.ok()) return fail(st);
      if (Status st = src.Str(&v); !st.ok()) return fail(st);
      e.attributes.emplace_back(k, v);
    }
    out->push_back(std::move(e));
  }
  if (src.remaining() != 0) {
    return Status::DataLoss(
        fmt::format("{} trailing bytes after {} events", src.remaining(), count));
  }
  return Status::Ok();
}

}  // namespace inferscope
