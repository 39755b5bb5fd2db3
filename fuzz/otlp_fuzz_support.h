// Shared by the OTLP trace parser fuzz targets: a sink that checks the invariants every
// Event from an OTLP parser must hold and writes the Event down exactly, so two parses can
// be compared.
#ifndef INFERSCOPE_FUZZ_OTLP_FUZZ_SUPPORT_H_
#define INFERSCOPE_FUZZ_OTLP_FUZZ_SUPPORT_H_

// The fuzz targets do not link simdjson::simdjson directly, so they miss the define its
// CMake target adds; without it dom::parser would have another layout here than in
// inferscope_ingest (an ODR violation that crashes).
#ifndef SIMDJSON_THREADS_ENABLED
#define SIMDJSON_THREADS_ENABLED 1
#endif
#include <simdjson.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "ingest/event_sink.h"

namespace inferscope::fuzz {

inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

inline bool IsLowerHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class CheckingSink : public EventSink {
 public:
  void OnEvent(const Event& e) override {
    Check(IsLowerHex(e.trace_id, 32));
    Check(IsLowerHex(e.span_id, 16));
    Check(e.parent_span_id.empty() || IsLowerHex(e.parent_span_id, 16));
    Check(e.Has(EventField::kLatencyMs) && e.Get(EventField::kLatencyMs) >= 0);
    Check(e.timestamp_ns > 0);
    std::string r;
    auto add = [&r](std::string_view s) {
      Check(simdjson::validate_utf8(s.data(), s.size()));
      r += std::to_string(s.size());
      r += ':';
      r.append(s.data(), s.size());
    };
    auto add_bits = [&r](const void* p) {
      char bits[8];
      std::memcpy(bits, p, 8);
      r.append(bits, 8);
    };
    add_bits(&e.timestamp_ns);
    r += static_cast<char>(e.status);
    for (std::string_view s : {e.request_id, e.model, e.status_text, e.cache_tier, e.task_type,
                               e.user, e.service, e.trace_id, e.span_id, e.parent_span_id}) {
      add(s);
    }
    r += '|';
    for (const auto& [k, v] : e.attributes) {
      add(k);
      add(v);
      // Every kept value is one valid JSON value.
      simdjson::dom::element doc;
      Check(!json_.parse(v.data(), v.size()).get(doc));
    }
    r += '|';
    for (int f = 0; f < kEventFieldCount; ++f) {
      auto field = static_cast<EventField>(f);
      r += e.Has(field) ? '1' : '0';
      if (e.Has(field)) {
        double v = e.Get(field);
        add_bits(&v);
      }
    }
    events.push_back(std::move(r));
  }
  std::vector<std::string> events;

 private:
  simdjson::dom::parser json_;
};

}  // namespace inferscope::fuzz

#endif  // INFERSCOPE_FUZZ_OTLP_FUZZ_SUPPORT_H_
