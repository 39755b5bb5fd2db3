#include "store/stored_event.h"

#include <cstring>

namespace inferscope {

StoredEvent StoredEvent::FromEvent(const Event& event) {
  StoredEvent s;
  s.timestamp_ns = event.timestamp_ns;
  s.status = event.status;
  s.request_id = event.request_id;
  s.model = event.model;
  s.status_text = event.status_text;
  s.cache_tier = event.cache_tier;
  s.task_type = event.task_type;
  s.user = event.user;
  s.service = event.service;
  s.trace_id = event.trace_id;
  s.span_id = event.span_id;
  s.parent_span_id = event.parent_span_id;
  s.attributes.reserve(event.attributes.size());
  for (const auto& [k, v] : event.attributes) s.attributes.emplace_back(k, v);
  for (int f = 0; f < kEventFieldCount; ++f) {
    const auto field = static_cast<EventField>(f);
    if (event.Has(field)) s.Set(field, event.Get(field));
  }
  return s;
}

Event StoredEvent::RollupView() const {
  Event e;
  e.timestamp_ns = timestamp_ns;
  e.status = status;
  e.model = model;
  e.task_type = task_type;
  e.cache_tier = cache_tier;
  e.user = user;
  for (int f = 0; f < kEventFieldCount; ++f) {
    const auto field = static_cast<EventField>(f);
    if (Has(field)) e.Set(field, Get(field));
  }
  return e;
}

Event StoredEvent::View() const {
  Event e;
  e.timestamp_ns = timestamp_ns;
  e.status = status;
  e.request_id = request_id;
  e.model = model;
  e.status_text = status_text;
  e.cache_tier = cache_tier;
  e.task_type = task_type;
  e.user = user;
  e.service = service;
  e.trace_id = trace_id;
  e.span_id = span_id;
  e.parent_span_id = parent_span_id;
  for (const auto& [k, v] : attributes) e.attributes.emplace_back(k, v);
  for (int f = 0; f < kEventFieldCount; ++f) {
    const auto field = static_cast<EventField>(f);
    if (Has(field)) e.Set(field, Get(field));
  }
  return e;
}

size_t StoredEvent::MemoryBytes() const {
  size_t n = sizeof(StoredEvent);
  for (auto member : kStoredStrings) {
    const std::string& s = this->*member;
    if (s.capacity() > 15) n += s.capacity();
  }
  n += attributes.capacity() * sizeof(attributes[0]);
  for (const auto& [k, v] : attributes) n += k.size() + v.size();
  return n;
}

bool StoredEvent::operator==(const StoredEvent& other) const {
  if (id != other.id || timestamp_ns != other.timestamp_ns || status != other.status ||
      present != other.present || attributes != other.attributes) {
    return false;
  }
  for (auto member : kStoredStrings) {
    if (this->*member != other.*member) return false;
  }
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (Has(static_cast<EventField>(f)) &&
        std::memcmp(&values[f], &other.values[f], sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace inferscope
