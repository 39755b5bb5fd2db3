#include "store/event_store.h"

#include <fmt/format.h>

#include <charconv>

namespace inferscope {

bool EventFilter::Matches(const StoredEvent& e) const {
  if (e.timestamp_ns < start_ns || e.timestamp_ns >= end_ns) return false;
  if (model && e.model != *model) return false;
  if (status && e.status != *status) return false;
  if (min_latency_ms &&
      !(e.Has(EventField::kLatencyMs) && e.Get(EventField::kLatencyMs) >= *min_latency_ms)) {
    return false;
  }
  if (trace_id && e.trace_id != *trace_id) return false;
  return true;
}

std::string FormatScanCursor(TimestampNs ts, uint64_t id) { return fmt::format("{}.{}", ts, id); }

Status ParseScanCursor(std::string_view text, TimestampNs* ts, uint64_t* id) {
  const size_t dot = text.find('.');
  auto bad = [&] { return Status::InvalidArgument(fmt::format("invalid cursor '{}'", text)); };
  if (dot == std::string_view::npos) return bad();
  const char* end = text.data() + text.size();
  auto r1 = std::from_chars(text.data(), text.data() + dot, *ts);
  if (r1.ec != std::errc() || r1.ptr != text.data() + dot) return bad();
  auto r2 = std::from_chars(text.data() + dot + 1, end, *id);
  if (r2.ec != std::errc() || r2.ptr != end || dot + 1 == text.size()) return bad();
  return Status::Ok();
}

}  // namespace inferscope
