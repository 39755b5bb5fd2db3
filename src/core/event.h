#ifndef INFERSCOPE_CORE_EVENT_H_
#define INFERSCOPE_CORE_EVENT_H_

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace inferscope {

enum class EventStatus : uint8_t { kOk = 0, kError = 1, kTimeout = 2 };

std::string_view EventStatusName(EventStatus status);

// Numeric fields of an Event. Each has a presence bit: a field the source did not carry is
// absent, not zero.
enum class EventField : uint8_t {
  kLatencyMs = 0,
  kTtftMs,
  kInputTokens,
  kOutputTokens,
  kCostUsd,
  kBatchSize,
  kBatchFillRatio,
  kGpuUtil,  // percent, 0..100
  kMemoryUsedGb,
  kQueueDepth,
  kCacheHit,      // 1 for a hit, 0 for a miss
  kQualityScore,  // task-specific quality score, if the service logs one
  kCount,         // number of numeric fields; not a field
};

inline constexpr int kEventFieldCount = static_cast<int>(EventField::kCount);

// Stable snake_case name of a numeric field ("latency_ms", ...), as in the log format.
std::string_view EventFieldName(EventField field);

// One inference request (or span). The unit every source is turned into.
//
// Ownership: string fields are views into memory owned by whoever produced the Event
// (usually a parser's input buffer). They are valid only for the duration of the callback
// that hands the Event over; copy what must outlive it. Events are plain values, cheap to
// reset and reuse: hot paths reuse one Event per parser and never allocate per record,
// except for `attributes` (cleared, capacity kept).
struct Event {
  TimestampNs timestamp_ns = 0;
  EventStatus status = EventStatus::kOk;

  std::string_view request_id;
  std::string_view model;
  std::string_view status_text;  // the raw status string as logged ("ok", "500", "timeout")
  std::string_view cache_tier;
  std::string_view task_type;
  std::string_view user;
  std::string_view service;
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;

  // Free-form attributes the source carried beyond the known fields (key, raw JSON value).
  std::vector<std::pair<std::string_view, std::string_view>> attributes;

  bool Has(EventField f) const { return (present_ >> static_cast<int>(f)) & 1u; }
  double Get(EventField f) const { return values_[static_cast<int>(f)]; }
  void Set(EventField f, double v) {
    values_[static_cast<int>(f)] = v;
    present_ |= 1u << static_cast<int>(f);
  }
  void Clear(EventField f) { present_ &= ~(1u << static_cast<int>(f)); }
  uint32_t present_mask() const { return present_; }

  // Back to the empty state, keeping the attributes vector's capacity.
  void Reset();

 private:
  uint32_t present_ = 0;
  double values_[kEventFieldCount] = {};
};

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_EVENT_H_
