#ifndef INFERSCOPE_TESTS_INGEST_TEST_SINK_H_
#define INFERSCOPE_TESTS_INGEST_TEST_SINK_H_

#include <string>
#include <utility>
#include <vector>

#include "core/event.h"
#include "ingest/event_sink.h"

namespace inferscope::testing {

// An Event with owned strings, so tests can look at it after the callback.
struct OwnedEvent {
  TimestampNs timestamp_ns = 0;
  EventStatus status = EventStatus::kOk;
  std::string request_id, model, status_text, cache_tier, task_type, user, service, trace_id,
      span_id, parent_span_id;
  std::vector<std::pair<std::string, std::string>> attributes;
  uint32_t present = 0;
  double values[kEventFieldCount] = {};

  bool Has(EventField f) const { return (present >> static_cast<int>(f)) & 1u; }
  double Get(EventField f) const { return values[static_cast<int>(f)]; }
};

class CollectingSink : public EventSink {
 public:
  void OnEvent(const Event& e) override {
    OwnedEvent o;
    o.timestamp_ns = e.timestamp_ns;
    o.status = e.status;
    o.request_id = e.request_id;
    o.model = e.model;
    o.status_text = e.status_text;
    o.cache_tier = e.cache_tier;
    o.task_type = e.task_type;
    o.user = e.user;
    o.service = e.service;
    o.trace_id = e.trace_id;
    o.span_id = e.span_id;
    o.parent_span_id = e.parent_span_id;
    for (const auto& [k, v] : e.attributes) o.attributes.emplace_back(k, v);
    o.present = e.present_mask();
    for (int i = 0; i < kEventFieldCount; ++i) o.values[i] = e.Get(static_cast<EventField>(i));
    events.push_back(std::move(o));
  }
  std::vector<OwnedEvent> events;
};

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_INGEST_TEST_SINK_H_
