#include "ingest/event_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace inferscope {

std::optional<EventField> EventFieldByName(std::string_view name) {
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (EventFieldName(static_cast<EventField>(f)) == name) return static_cast<EventField>(f);
  }
  return std::nullopt;
}

Result<EventStatus> ParseEventStatus(std::string_view text) {
  if (text == "ok") return EventStatus::kOk;
  if (text == "error") return EventStatus::kError;
  if (text == "timeout") return EventStatus::kTimeout;
  return Status::InvalidArgument(
      fmt::format("invalid status '{}': expected ok, error or timeout", text));
}

Result<FieldCondition> FieldCondition::Parse(std::string_view text) {
  size_t op_pos = text.find_first_of("<>=!");
  if (op_pos == std::string_view::npos || op_pos == 0) {
    return Status::InvalidArgument(
        fmt::format("invalid condition '{}': expected FIELD OP NUMBER, e.g. latency_ms>500", text));
  }
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  std::string_view name = trim(text.substr(0, op_pos));
  std::string_view rest = text.substr(op_pos);
  FieldCondition c;
  size_t op_len = 1;
  if (rest.starts_with("<=")) {
    c.op = Op::kLessEqual, op_len = 2;
  } else if (rest.starts_with(">=")) {
    c.op = Op::kGreaterEqual, op_len = 2;
  } else if (rest.starts_with("==")) {
    c.op = Op::kEqual, op_len = 2;
  } else if (rest.starts_with("!=")) {
    c.op = Op::kNotEqual, op_len = 2;
  } else if (rest.starts_with("<")) {
    c.op = Op::kLess;
  } else if (rest.starts_with(">")) {
    c.op = Op::kGreater;
  } else if (rest.starts_with("=")) {
    c.op = Op::kEqual;
  } else {
    return Status::InvalidArgument(fmt::format("invalid operator in condition '{}'", text));
  }
  auto field = EventFieldByName(name);
  if (!field) {
    std::string names;
    for (int f = 0; f < kEventFieldCount; ++f) {
      if (f) names += ", ";
      names += EventFieldName(static_cast<EventField>(f));
    }
    return Status::InvalidArgument(fmt::format(
        "unknown field '{}' in condition '{}'; numeric fields are: {}", name, text, names));
  }
  c.field = *field;
  std::string_view num = trim(rest.substr(op_len));
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), c.value);
  if (ec != std::errc() || ptr != num.data() + num.size() || num.empty() ||
      !std::isfinite(c.value)) {
    return Status::InvalidArgument(fmt::format("invalid number '{}' in condition '{}'", num, text));
  }
  return c;
}

bool FieldCondition::Matches(const Event& event) const {
  if (!event.Has(field)) return false;
  double v = event.Get(field);
  switch (op) {
    case Op::kLess:
      return v < value;
    case Op::kLessEqual:
      return v <= value;
    case Op::kGreater:
      return v > value;
    case Op::kGreaterEqual:
      return v >= value;
    case Op::kEqual:
      return v == value;
    case Op::kNotEqual:
      return v != value;
  }
  return false;
}

bool EventFilter::Matches(const Event& event) const {
  if (from_ns && event.timestamp_ns < *from_ns) return false;
  if (to_ns && event.timestamp_ns >= *to_ns) return false;
  if (!models.empty() && std::find(models.begin(), models.end(), event.model) == models.end()) {
    return false;
  }
  if (!statuses.empty() &&
      std::find(statuses.begin(), statuses.end(), event.status) == statuses.end()) {
    return false;
  }
  for (const auto& c : conditions) {
    if (!c.Matches(event)) return false;
  }
  return true;
}

}  // namespace inferscope
