#ifndef INFERSCOPE_INGEST_EVENT_FILTER_H_
#define INFERSCOPE_INGEST_EVENT_FILTER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/result.h"

namespace inferscope {

// A numeric condition on one field, e.g. "latency_ms>500". An event lacking the field does
// not match.
struct FieldCondition {
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  EventField field = EventField::kLatencyMs;
  Op op = Op::kGreater;
  double value = 0;

  // Parses "field OP number" with OP one of < <= > >= == != (also '=' for ==).
  static Result<FieldCondition> Parse(std::string_view text);
  bool Matches(const Event& event) const;
};

// Which events a query keeps: a time range [from, to), models, statuses and numeric
// conditions, all ANDed; an empty list means "any". Matches is allocation-free.
// Immutable after construction; safe to share between threads.
struct EventFilter {
  std::optional<TimestampNs> from_ns;  // inclusive
  std::optional<TimestampNs> to_ns;    // exclusive
  std::vector<std::string> models;
  std::vector<EventStatus> statuses;
  std::vector<FieldCondition> conditions;

  bool Empty() const {
    return !from_ns && !to_ns && models.empty() && statuses.empty() && conditions.empty();
  }
  bool Matches(const Event& event) const;
};

// Parses a status name: ok, error, timeout.
Result<EventStatus> ParseEventStatus(std::string_view text);
// Looks up a numeric field by its snake_case name (EventFieldName).
std::optional<EventField> EventFieldByName(std::string_view name);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_EVENT_FILTER_H_
