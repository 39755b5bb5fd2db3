#include "ingest/otlp_span_mapper.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ingest/otlp_text.h"

namespace inferscope {

bool AppendOtlpAttribute(std::string_view key, std::string_view prefix, size_t max_attribute_bytes,
                         OtlpTextArena& arena, std::string* json, OtlpKeyValue* out_kv,
                         std::vector<OtlpKeyValue>* out, OtlpFieldError* error) {
  if (json->size() > max_attribute_bytes) {
    error->field = fmt::format("attributes[{}]", ShortForMessage(key));
    error->reason = fmt::format("value is {} bytes as JSON, over the limit of {}", json->size(),
                                max_attribute_bytes);
    return false;
  }
  out_kv->value.json = arena.Copy(*json);
  if (prefix.empty()) {
    out_kv->key = key;
  } else {
    json->assign(prefix);
    *json += key;
    out_kv->key = arena.Copy(*json);
  }
  out->push_back(*out_kv);
  return true;
}

namespace {

// Attributes that become Event fields (docs/otlp.md).
enum Role : int {
  kResponseModel,
  kRequestModel,
  kInputTokens,
  kPromptTokens,  // older name of input_tokens
  kOutputTokens,
  kCompletionTokens,  // older name of output_tokens
  kOperationName,
  kResponseId,
  kTimeToFirstToken,  // seconds
  kUserId,
  kEndUserId,  // older name of user.id
  kErrorType,
  kRoleCount,
};

int RoleOf(std::string_view key) {
  if (key.size() < 7) return -1;
  switch (key[0]) {
    case 'g':
      if (key == "gen_ai.response.model") return kResponseModel;
      if (key == "gen_ai.request.model") return kRequestModel;
      if (key == "gen_ai.usage.input_tokens") return kInputTokens;
      if (key == "gen_ai.usage.prompt_tokens") return kPromptTokens;
      if (key == "gen_ai.usage.output_tokens") return kOutputTokens;
      if (key == "gen_ai.usage.completion_tokens") return kCompletionTokens;
      if (key == "gen_ai.operation.name") return kOperationName;
      if (key == "gen_ai.response.id") return kResponseId;
      if (key == "gen_ai.server.time_to_first_token") return kTimeToFirstToken;
      return -1;
    case 'u':
      return key == "user.id" ? kUserId : -1;
    case 'e':
      if (key == "enduser.id") return kEndUserId;
      if (key == "error.type") return kErrorType;
      return -1;
    default:
      return -1;
  }
}

std::string_view KindOfValue(OtlpValueKind k) {
  switch (k) {
    case OtlpValueKind::kEmpty:
      return "an empty value";
    case OtlpValueKind::kString:
      return "a string";
    case OtlpValueKind::kBool:
      return "a bool";
    case OtlpValueKind::kInt:
      return "an int";
    case OtlpValueKind::kDouble:
      return "a double";
    case OtlpValueKind::kBytes:
      return "bytes";
    case OtlpValueKind::kArray:
      return "an array";
    case OtlpValueKind::kKvlist:
      return "a kvlist";
  }
  return "?";
}

bool Fail(OtlpFieldError* error, std::string_view key, std::string reason) {
  error->field = fmt::format("attributes[{}]", key);
  error->reason = std::move(reason);
  return false;
}

// A string attribute; false with `error` set when it has another type.
bool ReadString(const OtlpKeyValue& kv, std::string_view* out, OtlpFieldError* error) {
  if (kv.value.kind != OtlpValueKind::kString) {
    return Fail(error, kv.key,
                fmt::format("expected a string, got {}", KindOfValue(kv.value.kind)));
  }
  *out = kv.value.string_value;
  return true;
}

// A non-negative finite number (int or double).
bool ReadNonNegative(const OtlpKeyValue& kv, double* out, OtlpFieldError* error) {
  double v = 0;
  if (kv.value.kind == OtlpValueKind::kInt) {
    v = static_cast<double>(kv.value.int_value);
  } else if (kv.value.kind == OtlpValueKind::kDouble) {
    v = kv.value.double_value;
    if (!std::isfinite(v)) return Fail(error, kv.key, "expected a finite number");
  } else {
    return Fail(error, kv.key, fmt::format("expected an int, got {}", KindOfValue(kv.value.kind)));
  }
  if (v < 0) return Fail(error, kv.key, fmt::format("must not be negative, got {}", v));
  *out = v;
  return true;
}

}  // namespace

void OtlpResourceFields::Clear() {
  service = {};
  attributes.clear();
  error_field.clear();
  error_reason.clear();
}

void OtlpSpanFields::Clear() {
  trace_id = span_id = parent_span_id = {};
  name = {};
  kind = 0;
  start_ns = end_ns = 0;
  status_code = 0;
  status_message = {};
  attributes.clear();
}

bool OtlpSpanMapper::Map(const OtlpResourceFields& resource, const OtlpScopeFields& scope,
                         const OtlpSpanFields& span, Event* event, OtlpFieldError* error) {
  if (!resource.error_reason.empty()) {
    error->field = resource.error_field;
    error->reason = resource.error_reason;
    return false;
  }
  if (span.start_ns == 0) {
    error->field = "startTimeUnixNano";
    error->reason = "missing (a span needs its start time)";
    return false;
  }
  if (span.end_ns == 0) {
    error->field = "endTimeUnixNano";
    error->reason = "missing (a span needs its end time)";
    return false;
  }
  if (span.end_ns < span.start_ns) {
    error->field = "endTimeUnixNano";
    error->reason =
        fmt::format("ends before the span starts ({} < {})", span.end_ns, span.start_ns);
    return false;
  }
  if (span.start_ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    error->field = "startTimeUnixNano";
    error->reason = fmt::format("{} is past the int64 nanosecond range", span.start_ns);
    return false;
  }

  // First occurrence of each mapped attribute; later duplicates are kept as attributes.
  int found[kRoleCount];
  for (int& f : found) f = -1;
  const auto n_attrs = static_cast<int>(span.attributes.size());
  for (int i = 0; i < n_attrs; ++i) {
    int role = RoleOf(span.attributes[i].key);
    if (role >= 0 && found[role] < 0) found[role] = i;
  }

  event->Reset();
  event->timestamp_ns = static_cast<TimestampNs>(span.start_ns);
  event->Set(EventField::kLatencyMs, static_cast<double>(span.end_ns - span.start_ns) / 1e6);
  event->trace_id = span.trace_id;
  event->span_id = span.span_id;
  event->parent_span_id = span.parent_span_id;
  event->service = resource.service;

  // Which attribute indexes became fields (so they are not repeated as attributes).
  int used[kRoleCount];
  int n_used = 0;
  auto attr = [&](int role) -> const OtlpKeyValue* {
    return found[role] < 0 ? nullptr : &span.attributes[found[role]];
  };

  std::string_view response_model, request_model;
  if (const OtlpKeyValue* kv = attr(kResponseModel);
      kv && !ReadString(*kv, &response_model, error)) {
    return false;
  }
  if (const OtlpKeyValue* kv = attr(kRequestModel); kv && !ReadString(*kv, &request_model, error)) {
    return false;
  }
  if (!response_model.empty()) {
    event->model = response_model;
    used[n_used++] = found[kResponseModel];
  } else if (!request_model.empty()) {
    event->model = request_model;
    used[n_used++] = found[kRequestModel];
  }

  // Token counts: the current name wins over the older one; both must be well-typed.
  const std::pair<Role, Role> tokens[] = {{kInputTokens, kPromptTokens},
                                          {kOutputTokens, kCompletionTokens}};
  const EventField token_fields[] = {EventField::kInputTokens, EventField::kOutputTokens};
  for (int t = 0; t < 2; ++t) {
    double current = 0, older = 0;
    const OtlpKeyValue* cur_kv = attr(tokens[t].first);
    const OtlpKeyValue* old_kv = attr(tokens[t].second);
    if (cur_kv && !ReadNonNegative(*cur_kv, &current, error)) return false;
    if (old_kv && !ReadNonNegative(*old_kv, &older, error)) return false;
    if (cur_kv) {
      event->Set(token_fields[t], current);
      used[n_used++] = found[tokens[t].first];
    } else if (old_kv) {
      event->Set(token_fields[t], older);
      used[n_used++] = found[tokens[t].second];
    }
  }

  if (const OtlpKeyValue* kv = attr(kTimeToFirstToken)) {
    double seconds = 0;
    if (!ReadNonNegative(*kv, &seconds, error)) return false;
    event->Set(EventField::kTtftMs, seconds * 1e3);
    used[n_used++] = found[kTimeToFirstToken];
  }
  if (const OtlpKeyValue* kv = attr(kOperationName)) {
    if (!ReadString(*kv, &event->task_type, error)) return false;
    used[n_used++] = found[kOperationName];
  }
  if (const OtlpKeyValue* kv = attr(kResponseId)) {
    if (!ReadString(*kv, &event->request_id, error)) return false;
    used[n_used++] = found[kResponseId];
  }
  {
    std::string_view user, enduser;
    const OtlpKeyValue* user_kv = attr(kUserId);
    const OtlpKeyValue* enduser_kv = attr(kEndUserId);
    if (user_kv && !ReadString(*user_kv, &user, error)) return false;
    if (enduser_kv && !ReadString(*enduser_kv, &enduser, error)) return false;
    if (user_kv) {
      event->user = user;
      used[n_used++] = found[kUserId];
    } else if (enduser_kv) {
      event->user = enduser;
      used[n_used++] = found[kEndUserId];
    }
  }
  std::string_view error_type;
  if (const OtlpKeyValue* kv = attr(kErrorType)) {
    // Kept as an attribute too (consumers read "error.type" from there).
    if (!ReadString(*kv, &error_type, error)) return false;
  }

  switch (span.status_code) {
    case 2:
      event->status = EventStatus::kError;
      event->status_text = error_type.empty() ? std::string_view("error") : error_type;
      break;
    case 1:
      event->status_text = "ok";
      break;
    default:
      event->status_text = "unset";
      break;
  }

  for (int i = 0; i < n_attrs; ++i) {
    bool is_used = false;
    for (int u = 0; u < n_used; ++u) is_used |= used[u] == i;
    if (!is_used)
      event->attributes.emplace_back(span.attributes[i].key, span.attributes[i].value.json);
  }
  for (const OtlpKeyValue& kv : resource.attributes) {
    event->attributes.emplace_back(kv.key, kv.value.json);
  }
  if (scope.name.kind != OtlpValueKind::kEmpty) {
    event->attributes.emplace_back("otel.scope.name", scope.name.json);
  }
  if (scope.version.kind != OtlpValueKind::kEmpty) {
    event->attributes.emplace_back("otel.scope.version", scope.version.json);
  }
  if (span.name.kind != OtlpValueKind::kEmpty) {
    event->attributes.emplace_back("otel.span.name", span.name.json);
  }
  switch (span.kind) {
    case 1:
      event->attributes.emplace_back("otel.span.kind", "\"internal\"");
      break;
    case 2:
      event->attributes.emplace_back("otel.span.kind", "\"server\"");
      break;
    case 3:
      event->attributes.emplace_back("otel.span.kind", "\"client\"");
      break;
    case 4:
      event->attributes.emplace_back("otel.span.kind", "\"producer\"");
      break;
    case 5:
      event->attributes.emplace_back("otel.span.kind", "\"consumer\"");
      break;
    default:
      break;
  }
  if (span.status_message.kind == OtlpValueKind::kString &&
      !span.status_message.string_value.empty()) {
    event->attributes.emplace_back("otel.status_description", span.status_message.json);
  }
  return true;
}

}  // namespace inferscope
