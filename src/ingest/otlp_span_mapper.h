#ifndef INFERSCOPE_INGEST_OTLP_SPAN_MAPPER_H_
#define INFERSCOPE_INGEST_OTLP_SPAN_MAPPER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "ingest/otlp_text_arena.h"

namespace inferscope {

// The encoding-neutral form of OTLP trace data that the JSON and protobuf decoders produce
// and OtlpSpanMapper turns into Events. Every view points into memory the decoder owns
// (its parsed document or message, or its OtlpTextArena) for the duration of one span.

enum class OtlpValueKind : uint8_t {
  kEmpty,
  kString,
  kBool,
  kInt,
  kDouble,
  kBytes,
  kArray,
  kKvlist
};

// One attribute value (OTLP AnyValue).
struct OtlpValue {
  OtlpValueKind kind = OtlpValueKind::kEmpty;
  std::string_view string_value;  // kString only: the decoded string (valid UTF-8)
  int64_t int_value = 0;          // kInt only
  double double_value = 0;        // kDouble only
  bool bool_value = false;        // kBool only
  // Canonical JSON text of the value, the same for both encodings: a string literal,
  // true/false, an integer, a shortest-round-trip number (null for NaN/inf), base64 string
  // literal for bytes, [..] for arrays, {"key":value,..} for kvlists, null when empty.
  std::string_view json;
};

struct OtlpKeyValue {
  std::string_view key;
  OtlpValue value;
};

// What a resource contributes to each of its spans.
struct OtlpResourceFields {
  std::string_view service;  // service.name ("" when absent)
  // The other resource attributes, keys already prefixed with "resource.".
  std::vector<OtlpKeyValue> attributes;
  // Non-empty when the resource itself is bad: every span under it is rejected with this.
  std::string error_field;
  std::string error_reason;

  void Clear();
};

struct OtlpScopeFields {
  OtlpValue name;     // kEmpty when absent
  OtlpValue version;  // kEmpty when absent
};

// One span. Ids are already validated and in lowercase hex (32 / 16 / 16 digits or empty).
struct OtlpSpanFields {
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;  // empty for a root span
  OtlpValue name;                   // kEmpty when absent
  int32_t kind = 0;                 // Span.SpanKind number
  uint64_t start_ns = 0;            // 0 = absent
  uint64_t end_ns = 0;              // 0 = absent
  int32_t status_code = 0;          // Status.StatusCode number: 0 unset, 1 ok, 2 error
  OtlpValue status_message;         // kEmpty when absent
  std::vector<OtlpKeyValue> attributes;

  void Clear();
};

// The field and reason of a rejected span.
struct OtlpFieldError {
  std::string field;
  std::string reason;
};

// The common end of decoding one attribute, for both encodings: `json` holds the value's
// canonical JSON (written into out_kv->value by the decoder). Rejects a value whose JSON is
// over `max_attribute_bytes` (field "attributes[<key>]"); otherwise copies the JSON and the
// key (prefixed by `prefix`, e.g. "resource.") into `arena` and appends *out_kv to `out`.
// `json` is used as scratch space afterwards.
bool AppendOtlpAttribute(std::string_view key, std::string_view prefix, size_t max_attribute_bytes,
                         OtlpTextArena& arena, std::string* json, OtlpKeyValue* out_kv,
                         std::vector<OtlpKeyValue>* out, OtlpFieldError* error);

// Maps one decoded span onto an Event following the OpenTelemetry GenAI semantic
// conventions (the table is in docs/otlp.md). Stateless and thread-safe.
class OtlpSpanMapper {
 public:
  // Fills `event` (Reset first) from the span. Returns false with `error` set when the span
  // must be rejected: no start or end time, an end before the start, a start past the
  // int64 nanosecond range, a GenAI attribute of the wrong type or with an impossible
  // value, or a bad resource. The Event's views point into the three inputs (and static
  // strings); it is valid as long as they are.
  static bool Map(const OtlpResourceFields& resource, const OtlpScopeFields& scope,
                  const OtlpSpanFields& span, Event* event, OtlpFieldError* error);
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_SPAN_MAPPER_H_
