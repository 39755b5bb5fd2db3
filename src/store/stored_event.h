#ifndef INFERSCOPE_STORE_STORED_EVENT_H_
#define INFERSCOPE_STORE_STORED_EVENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event.h"

namespace inferscope {

// The owning form of an Event, as the store keeps and returns it. `Event` (core/event.h)
// views a parser's buffer; a StoredEvent copies every string so it can outlive it.
//
// `id` is assigned by the store when the event is appended and is unique within a data
// directory: (WAL sequence number of its batch << 20) | index in the batch. Scans return
// events in (timestamp_ns, id) order, and cursors are built from that pair.
struct StoredEvent {
  uint64_t id = 0;
  TimestampNs timestamp_ns = 0;
  EventStatus status = EventStatus::kOk;
  std::string request_id;
  std::string model;
  std::string status_text;
  std::string cache_tier;
  std::string task_type;
  std::string user;
  std::string service;
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;
  std::vector<std::pair<std::string, std::string>> attributes;
  uint32_t present = 0;  // bit f set when numeric field f is present
  double values[kEventFieldCount] = {};

  bool Has(EventField f) const { return (present >> static_cast<int>(f)) & 1u; }
  double Get(EventField f) const { return values[static_cast<int>(f)]; }
  void Set(EventField f, double v) {
    values[static_cast<int>(f)] = v;
    present |= 1u << static_cast<int>(f);
  }

  // A copy of `event`'s fields (id 0).
  static StoredEvent FromEvent(const Event& event);
  // An Event whose views point into this record: valid while it lives unchanged.
  Event View() const;
  // The same without the attributes and the per-request strings (only model, task_type,
  // cache_tier and user are set): what rollups read, without copying the attribute list.
  Event RollupView() const;
  // Approximate heap + inline bytes, for memtable accounting.
  size_t MemoryBytes() const;

  bool operator==(const StoredEvent& other) const;
};

// The string fields in a fixed order, for codecs that treat them alike.
inline constexpr int kStoredStringCount = 10;
using StoredStringMember = std::string StoredEvent::*;
inline constexpr StoredStringMember kStoredStrings[kStoredStringCount] = {
    &StoredEvent::request_id,    &StoredEvent::model,     &StoredEvent::status_text,
    &StoredEvent::cache_tier,    &StoredEvent::task_type, &StoredEvent::user,
    &StoredEvent::service,       &StoredEvent::trace_id,  &StoredEvent::span_id,
    &StoredEvent::parent_span_id};

// Event ids: the batch's WAL sequence number and the event's index in the batch.
inline constexpr int kEventIndexBits = 20;
inline constexpr size_t kMaxEventsPerBatch = size_t{1} << kEventIndexBits;
inline uint64_t MakeEventId(uint64_t wal_seq, size_t index) {
  return (wal_seq << kEventIndexBits) | index;
}

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_STORED_EVENT_H_
