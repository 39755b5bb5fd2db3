#include "ingest/otlp_json_trace_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "core/json_writer.h"
#include "ingest/otlp_span_mapper.h"
#include "ingest/otlp_text.h"
#include "ingest/otlp_text_arena.h"

namespace inferscope {

namespace {

namespace dom = simdjson::dom;

// Bodies up to this size leave the JSON parser's buffers in place for the next call.
constexpr size_t kKeepBuffersUpTo = 1u << 20;

bool KeyIs(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// The last value of a field given by either spelling, or a null-typed "absent" marker.
bool FindField(dom::object obj, std::string_view camel, std::string_view snake, dom::element* out) {
  bool found = false;
  for (dom::key_value_pair field : obj) {
    if (KeyIs(field.key, camel, snake)) {
      *out = field.value;
      found = true;
    }
  }
  return found && !out->is_null();
}

std::string_view TypeName(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a bool";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

bool ValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

// A string that is valid UTF-8 (simdjson validates the document, this also covers what
// escapes decode to).
bool ReadString(dom::element v, std::string_view* out) {
  return !v.get_string().get(*out) && ValidUtf8(*out);
}

// OTLP/JSON 64-bit integers: a JSON integer, an integral double, or a decimal string.
bool ReadInt64(dom::element v, int64_t* out) {
  switch (v.type()) {
    case dom::element_type::INT64:
      return !v.get_int64().get(*out);
    case dom::element_type::UINT64: {
      uint64_t u = 0;
      if (v.get_uint64().get(u) || u > static_cast<uint64_t>(INT64_MAX)) return false;
      *out = static_cast<int64_t>(u);
      return true;
    }
    case dom::element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d) || !(d >= -9.2e18 && d <= 9.2e18) || d != std::trunc(d)) {
        return false;
      }
      *out = static_cast<int64_t>(d);
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) || s.empty()) return false;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      return ec == std::errc() && end == s.data() + s.size();
    }
    default:
      return false;
  }
}

bool ReadUint64(dom::element v, uint64_t* out) {
  switch (v.type()) {
    case dom::element_type::INT64: {
      int64_t i = 0;
      if (v.get_int64().get(i) || i < 0) return false;
      *out = static_cast<uint64_t>(i);
      return true;
    }
    case dom::element_type::UINT64:
      return !v.get_uint64().get(*out);
    case dom::element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d) || !(d >= 0 && d < 1.8e19) || d != std::trunc(d)) return false;
      *out = static_cast<uint64_t>(d);
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) || s.empty()) return false;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      return ec == std::errc() && end == s.data() + s.size();
    }
    default:
      return false;
  }
}

// OTLP/JSON doubles: a number, or a string holding a number, "NaN", "Infinity" or
// "-Infinity" (the proto3 JSON mapping).
bool ReadDouble(dom::element v, double* out) {
  switch (v.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return !v.get_double().get(*out);
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) || s.empty()) return false;
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (s == "Infinity" || s == "-Infinity") {
        *out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
        return true;
      }
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
    }
    default:
      return false;
  }
}

// An enum: its number, or its name from `names` (index = number).
template <size_t N>
bool ReadEnum(dom::element v, const std::string_view (&names)[N], int32_t* out) {
  switch (v.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64: {
      int64_t i = 0;
      if (!ReadInt64(v, &i) || i < INT32_MIN || i > INT32_MAX) return false;
      *out = static_cast<int32_t>(i);
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      for (size_t i = 0; i < N; ++i) {
        if (s == names[i]) {
          *out = static_cast<int32_t>(i);
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

constexpr std::string_view kSpanKindNames[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                               "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                               "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
constexpr std::string_view kStatusCodeNames[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                 "STATUS_CODE_ERROR"};

enum ValueField { kString, kBool, kInt, kDouble, kArray, kKvlist, kBytes, kNotAValueField };

ValueField ValueFieldOf(std::string_view key) {
  if (KeyIs(key, "stringValue", "string_value")) return kString;
  if (KeyIs(key, "boolValue", "bool_value")) return kBool;
  if (KeyIs(key, "intValue", "int_value")) return kInt;
  if (KeyIs(key, "doubleValue", "double_value")) return kDouble;
  if (KeyIs(key, "arrayValue", "array_value")) return kArray;
  if (KeyIs(key, "kvlistValue", "kvlist_value")) return kKvlist;
  if (KeyIs(key, "bytesValue", "bytes_value")) return kBytes;
  return kNotAValueField;
}

}  // namespace

struct OtlpJsonTraceParser::Impl {
  explicit Impl(OtlpLimits l) : limits(l) {}

  OtlpLimits limits;
  dom::parser parser;
  OtlpTextArena resource_arena;  // resource and scope text, reset per resource
  OtlpTextArena span_arena;      // span text, reset per span
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span;
  Event event;
  std::string scratch;  // canonical JSON being built
  std::string bytes;    // decoded base64
  std::string hex;      // an id being normalised
  std::string why;      // reason of a value that failed to decode

  // Checks the containers above span level, so that a body refused for its structure
  // hands nothing to the sink.
  Status CheckStructure(dom::element root) {
    dom::object request;
    if (root.get_object().get(request)) {
      return Status::InvalidArgument(
          fmt::format("body: expected a JSON object, got {}", TypeName(root)));
    }
    dom::element resource_spans;
    if (!FindField(request, "resourceSpans", "resource_spans", &resource_spans)) {
      return Status::Ok();
    }
    dom::array rs_array;
    if (resource_spans.get_array().get(rs_array)) {
      return Status::InvalidArgument(
          fmt::format("resourceSpans: expected an array, got {}", TypeName(resource_spans)));
    }
    size_t r = 0;
    for (dom::element rs : rs_array) {
      dom::object rs_obj;
      if (rs.get_object().get(rs_obj)) {
        return Status::InvalidArgument(
            fmt::format("resourceSpans[{}]: expected an object, got {}", r, TypeName(rs)));
      }
      dom::element scope_spans;
      if (FindField(rs_obj, "scopeSpans", "scope_spans", &scope_spans)) {
        dom::array ss_array;
        if (scope_spans.get_array().get(ss_array)) {
          return Status::InvalidArgument(fmt::format(
              "resourceSpans[{}].scopeSpans: expected an array, got {}", r, TypeName(scope_spans)));
        }
        size_t s = 0;
        for (dom::element ss : ss_array) {
          dom::object ss_obj;
          if (ss.get_object().get(ss_obj)) {
            return Status::InvalidArgument(
                fmt::format("resourceSpans[{}].scopeSpans[{}]: expected an object, got {}", r, s,
                            TypeName(ss)));
          }
          dom::element spans;
          if (FindField(ss_obj, "spans", "spans", &spans) && !spans.is_array()) {
            return Status::InvalidArgument(
                fmt::format("resourceSpans[{}].scopeSpans[{}].spans: expected an array, got {}", r,
                            s, TypeName(spans)));
          }
          ++s;
        }
      }
      ++r;
    }
    return Status::Ok();
  }

  // Writes the canonical JSON of an AnyValue to w; fills `out` for the top-level value.
  // False with `why` set when the value is malformed.
  bool WriteAnyValue(dom::element v, int depth, JsonWriter& w, OtlpValue* out) {
    out->kind = OtlpValueKind::kEmpty;
    if (v.is_null()) {
      w.Null();
      return true;
    }
    dom::object obj;
    if (v.get_object().get(obj)) {
      why = fmt::format("expected an AnyValue object, got {}", TypeName(v));
      return false;
    }
    int n_set = 0;
    ValueField which = kNotAValueField;
    dom::element chosen;
    for (dom::key_value_pair field : obj) {
      ValueField f = ValueFieldOf(field.key);
      if (f == kNotAValueField || field.value.is_null()) continue;
      ++n_set;
      which = f;
      chosen = field.value;
    }
    if (n_set > 1) {
      why = "more than one of stringValue/boolValue/intValue/... is set";
      return false;
    }
    switch (which) {
      case kNotAValueField:
        w.Null();
        return true;
      case kString:
        if (!ReadString(chosen, &out->string_value)) {
          why = fmt::format("stringValue: expected a UTF-8 string, got {}", TypeName(chosen));
          return false;
        }
        out->kind = OtlpValueKind::kString;
        w.String(out->string_value);
        return true;
      case kBool:
        if (chosen.get_bool().get(out->bool_value)) {
          why = fmt::format("boolValue: expected a bool, got {}", TypeName(chosen));
          return false;
        }
        out->kind = OtlpValueKind::kBool;
        w.Bool(out->bool_value);
        return true;
      case kInt:
        if (!ReadInt64(chosen, &out->int_value)) {
          why = "intValue: expected a 64-bit integer (a number or a decimal string)";
          return false;
        }
        out->kind = OtlpValueKind::kInt;
        w.Int(out->int_value);
        return true;
      case kDouble:
        if (!ReadDouble(chosen, &out->double_value)) {
          why = "doubleValue: expected a number";
          return false;
        }
        out->kind = OtlpValueKind::kDouble;
        w.Number(out->double_value);
        return true;
      case kBytes: {
        std::string_view text;
        bytes.clear();
        if (chosen.get_string().get(text) || !DecodeBase64(text, &bytes)) {
          why = "bytesValue: expected a base64 string";
          return false;
        }
        out->kind = OtlpValueKind::kBytes;
        std::string canonical;
        AppendBase64(&canonical, bytes);
        w.String(canonical);
        return true;
      }
      case kArray:
      case kKvlist: {
        if (depth >= limits.max_value_depth) {
          why = fmt::format("nested deeper than {} levels", limits.max_value_depth);
          return false;
        }
        const bool is_array = which == kArray;
        out->kind = is_array ? OtlpValueKind::kArray : OtlpValueKind::kKvlist;
        std::string_view name = is_array ? "arrayValue" : "kvlistValue";
        dom::object list;
        if (chosen.get_object().get(list)) {
          why = fmt::format("{}: expected an object, got {}", name, TypeName(chosen));
          return false;
        }
        dom::element values;
        dom::array items;
        bool has_values = FindField(list, "values", "values", &values);
        if (has_values && values.get_array().get(items)) {
          why = fmt::format("{}.values: expected an array, got {}", name, TypeName(values));
          return false;
        }
        if (is_array) {
          w.BeginArray();
        } else {
          w.BeginObject();
        }
        if (has_values) {
          for (dom::element item : items) {
            OtlpValue inner;
            if (is_array) {
              if (!WriteAnyValue(item, depth + 1, w, &inner)) return false;
              continue;
            }
            dom::object kv;
            dom::element key_el, value_el;
            std::string_view key;
            if (item.get_object().get(kv) || !FindField(kv, "key", "key", &key_el) ||
                !ReadString(key_el, &key)) {
              why = "kvlistValue.values: each entry needs a string key";
              return false;
            }
            w.Key(key);
            if (!FindField(kv, "value", "value", &value_el)) {
              w.Null();
            } else if (!WriteAnyValue(value_el, depth + 1, w, &inner)) {
              return false;
            }
          }
        }
        if (is_array) {
          w.EndArray();
        } else {
          w.EndObject();
        }
        return true;
      }
    }
    return false;
  }

  // Decodes an OTLP attributes array into `out`, copying text into `arena`; keys get
  // `prefix`. False with `error` set on the first bad attribute.
  bool DecodeAttributes(dom::element v, std::string_view prefix, OtlpTextArena& arena,
                        std::vector<OtlpKeyValue>* out, OtlpFieldError* error) {
    dom::array arr;
    if (v.get_array().get(arr)) {
      error->field = "attributes";
      error->reason = fmt::format("expected an array, got {}", TypeName(v));
      return false;
    }
    size_t index = 0;
    for (dom::element item : arr) {
      if (index >= limits.max_attributes) {
        error->field = "attributes";
        error->reason = fmt::format("more than {} attributes", limits.max_attributes);
        return false;
      }
      dom::object kv;
      dom::element key_el, value_el;
      std::string_view key;
      if (item.get_object().get(kv)) {
        error->field = fmt::format("attributes[{}]", index);
        error->reason = fmt::format("expected a KeyValue object, got {}", TypeName(item));
        return false;
      }
      if (!FindField(kv, "key", "key", &key_el) || !ReadString(key_el, &key)) {
        error->field = fmt::format("attributes[{}].key", index);
        error->reason = "missing, or not a UTF-8 string";
        return false;
      }
      if (key.size() > limits.max_attribute_bytes) {
        error->field = fmt::format("attributes[{}].key", index);
        error->reason = fmt::format("key is {} bytes, over the limit of {}", key.size(),
                                    limits.max_attribute_bytes);
        return false;
      }
      OtlpKeyValue out_kv;
      scratch.clear();
      {
        JsonWriter w(&scratch);
        bool ok = true;
        if (FindField(kv, "value", "value", &value_el)) {
          ok = WriteAnyValue(value_el, 0, w, &out_kv.value);
        } else {
          w.Null();
        }
        if (!ok) {
          error->field = fmt::format("attributes[{}]", ShortForMessage(key));
          error->reason = why;
          return false;
        }
      }
      if (!AppendOtlpAttribute(key, prefix, limits.max_attribute_bytes, arena, &scratch, &out_kv,
                               out, error)) {
        return false;
      }
      ++index;
    }
    return true;
  }

  // A string-valued field (span name, scope name, status message) as an OtlpValue. The empty
  // string is absent, as in proto3 (so both encodings agree).
  bool DecodeStringField(dom::element v, OtlpTextArena& arena, OtlpValue* out) {
    std::string_view s;
    *out = {};
    if (!ReadString(v, &s)) return false;
    if (s.empty()) return true;
    out->kind = OtlpValueKind::kString;
    out->string_value = s;
    scratch.clear();
    AppendJsonString(&scratch, s);
    out->json = arena.Copy(scratch);
    return true;
  }

  void DecodeResource(dom::object rs) {
    resource_arena.Reset();
    resource.Clear();
    dom::element res;
    if (!FindField(rs, "resource", "resource", &res)) return;
    dom::object res_obj;
    if (res.get_object().get(res_obj)) {
      resource.error_field = "resource";
      resource.error_reason = fmt::format("expected an object, got {}", TypeName(res));
      return;
    }
    dom::element attrs;
    if (!FindField(res_obj, "attributes", "attributes", &attrs)) return;
    OtlpFieldError error;
    if (!DecodeAttributes(attrs, "resource.", resource_arena, &resource.attributes, &error)) {
      resource.attributes.clear();
      resource.error_field = "resource." + error.field;
      resource.error_reason = std::move(error.reason);
      return;
    }
    ExtractServiceName();
  }

  // Moves resource.service.name from the attributes to resource.service.
  void ExtractServiceName() {
    auto& attrs = resource.attributes;
    for (size_t i = 0; i < attrs.size(); ++i) {
      if (attrs[i].key != "resource.service.name") continue;
      if (attrs[i].value.kind != OtlpValueKind::kString) {
        resource.error_field = "resource.attributes[service.name]";
        resource.error_reason = "expected a string";
        return;
      }
      resource.service = attrs[i].value.string_value;
      attrs.erase(attrs.begin() + static_cast<ptrdiff_t>(i));
      return;
    }
  }

  // Fills `scope`; false with `error` set when it is malformed.
  bool DecodeScope(dom::object ss, OtlpFieldError* error) {
    scope = {};
    dom::element sc;
    if (!FindField(ss, "scope", "scope", &sc)) return true;
    dom::object sc_obj;
    if (sc.get_object().get(sc_obj)) {
      error->field = "scope";
      error->reason = fmt::format("expected an object, got {}", TypeName(sc));
      return false;
    }
    dom::element v;
    if (FindField(sc_obj, "name", "name", &v) &&
        !DecodeStringField(v, resource_arena, &scope.name)) {
      error->field = "scope.name";
      error->reason = fmt::format("expected a UTF-8 string, got {}", TypeName(v));
      return false;
    }
    if (FindField(sc_obj, "version", "version", &v) &&
        !DecodeStringField(v, resource_arena, &scope.version)) {
      error->field = "scope.version";
      error->reason = fmt::format("expected a UTF-8 string, got {}", TypeName(v));
      return false;
    }
    return true;
  }

  // Normalises a hex id field into span_arena. `required`: absent is an error.
  bool DecodeId(dom::element v, std::string_view name, size_t n_bytes, bool root_ok,
                std::string_view* out, OtlpFieldError* error) {
    std::string_view text;
    if (v.get_string().get(text)) {
      error->field = std::string(name);
      error->reason = fmt::format("expected a hex string, got {}", TypeName(v));
      return false;
    }
    if (root_ok && (text.empty() || IsAllZeroHex(text))) {
      *out = {};
      return true;
    }
    hex.clear();
    if (!AppendNormalizedHex(&hex, text, n_bytes)) {
      error->field = std::string(name);
      error->reason = fmt::format("expected {} hex digits, got \"{}\"", 2 * n_bytes,
                                  ValidUtf8(text) ? ShortForMessage(text) : "<invalid UTF-8>");
      return false;
    }
    if (IsAllZeroHex(hex)) {
      error->field = std::string(name);
      error->reason = "all zeroes, which is an invalid id";
      return false;
    }
    *out = span_arena.Copy(hex);
    return true;
  }

  // Fills `span` from a span object; false with `error` set when it is malformed.
  bool DecodeSpan(dom::element v, OtlpFieldError* error) {
    span_arena.Reset();
    span.Clear();
    dom::object obj;
    if (v.get_object().get(obj)) {
      error->field = "span";
      error->reason = fmt::format("expected an object, got {}", TypeName(v));
      return false;
    }
    // Last occurrence of each field wins (null included: it means absent).
    enum { kTraceId, kSpanId, kParent, kName, kKind, kStart, kEnd, kStatus, kAttributes, kN };
    dom::element fields[kN];
    bool seen[kN] = {};
    for (dom::key_value_pair field : obj) {
      std::string_view key = field.key;
      int f = -1;
      if (KeyIs(key, "traceId", "trace_id")) {
        f = kTraceId;
      } else if (KeyIs(key, "spanId", "span_id")) {
        f = kSpanId;
      } else if (KeyIs(key, "parentSpanId", "parent_span_id")) {
        f = kParent;
      } else if (key == "name") {
        f = kName;
      } else if (key == "kind") {
        f = kKind;
      } else if (KeyIs(key, "startTimeUnixNano", "start_time_unix_nano")) {
        f = kStart;
      } else if (KeyIs(key, "endTimeUnixNano", "end_time_unix_nano")) {
        f = kEnd;
      } else if (key == "status") {
        f = kStatus;
      } else if (key == "attributes") {
        f = kAttributes;
      }
      if (f < 0) continue;
      fields[f] = field.value;
      seen[f] = !field.value.is_null();
    }
    bool has_trace_id = seen[kTraceId], has_span_id = seen[kSpanId];
    if (has_trace_id && !DecodeId(fields[kTraceId], "traceId", 16, false, &span.trace_id, error)) {
      return false;
    }
    if (has_span_id && !DecodeId(fields[kSpanId], "spanId", 8, false, &span.span_id, error)) {
      return false;
    }
    if (seen[kParent] &&
        !DecodeId(fields[kParent], "parentSpanId", 8, true, &span.parent_span_id, error)) {
      return false;
    }
    if (seen[kName] && !DecodeStringField(fields[kName], span_arena, &span.name)) {
      error->field = "name";
      error->reason = fmt::format("expected a UTF-8 string, got {}", TypeName(fields[kName]));
      return false;
    }
    if (seen[kKind] && !ReadEnum(fields[kKind], kSpanKindNames, &span.kind)) {
      error->field = "kind";
      error->reason = "expected a SpanKind number or name";
      return false;
    }
    if (seen[kStart] && !ReadUint64(fields[kStart], &span.start_ns)) {
      error->field = "startTimeUnixNano";
      error->reason = "expected an unsigned 64-bit integer (a number or a decimal string)";
      return false;
    }
    if (seen[kEnd] && !ReadUint64(fields[kEnd], &span.end_ns)) {
      error->field = "endTimeUnixNano";
      error->reason = "expected an unsigned 64-bit integer (a number or a decimal string)";
      return false;
    }
    if (seen[kStatus] && !DecodeStatus(fields[kStatus], error)) return false;
    if (seen[kAttributes] &&
        !DecodeAttributes(fields[kAttributes], {}, span_arena, &span.attributes, error)) {
      return false;
    }
    if (!has_trace_id) {
      error->field = "traceId";
      error->reason = "missing";
      return false;
    }
    if (!has_span_id) {
      error->field = "spanId";
      error->reason = "missing";
      return false;
    }
    return true;
  }

  bool DecodeStatus(dom::element v, OtlpFieldError* error) {
    dom::object obj;
    if (v.get_object().get(obj)) {
      error->field = "status";
      error->reason = fmt::format("expected an object, got {}", TypeName(v));
      return false;
    }
    span.status_code = 0;
    span.status_message = {};
    dom::element e;
    if (FindField(obj, "code", "code", &e) && !ReadEnum(e, kStatusCodeNames, &span.status_code)) {
      error->field = "status.code";
      error->reason = "expected a StatusCode number or name";
      return false;
    }
    if (FindField(obj, "message", "message", &e) &&
        !DecodeStringField(e, span_arena, &span.status_message)) {
      error->field = "status.message";
      error->reason = fmt::format("expected a UTF-8 string, got {}", TypeName(e));
      return false;
    }
    return true;
  }

  void Reject(OtlpTraceResult& result, size_t r, size_t s, size_t i, OtlpFieldError& error) {
    OtlpSpanReject reject;
    reject.resource_index = static_cast<uint32_t>(r);
    reject.scope_index = static_cast<uint32_t>(s);
    reject.span_index = static_cast<uint32_t>(i);
    reject.field = std::move(error.field);
    reject.reason = std::move(error.reason);
    result.AddReject(std::move(reject), limits.keep_rejects);
  }

  Result<OtlpTraceResult> Parse(std::string_view body, EventSink& sink, bool padded) {
    static_assert(kOtlpBodyPadding >= simdjson::SIMDJSON_PADDING);
    if (body.size() > limits.max_body_bytes) {
      return Status::ResourceExhausted(fmt::format("body is {} bytes, over the limit of {}",
                                                   body.size(), limits.max_body_bytes));
    }
    dom::element root;
    if (auto err =
            parser.parse(body.data(), body.size(), /*realloc_if_needed=*/!padded).get(root)) {
      return Status::InvalidArgument(fmt::format("invalid JSON: {}", simdjson::error_message(err)));
    }
    INFERSCOPE_RETURN_IF_ERROR(CheckStructure(root));

    OtlpTraceResult result = Decode(root, sink);
    if (body.size() > kKeepBuffersUpTo) {
      // dom::parser keeps buffers sized for the largest body seen; do not pin a big one.
      parser = dom::parser();
    }
    return result;
  }

  OtlpTraceResult Decode(dom::element root, EventSink& sink) {
    OtlpTraceResult result;
    dom::element resource_spans;
    dom::object request;
    if (root.get_object().get(request)) return result;
    if (!FindField(request, "resourceSpans", "resource_spans", &resource_spans)) {
      return result;
    }
    size_t r = 0;
    // CheckStructure() vouched for the container types below.
    dom::array rs_array;
    if (resource_spans.get_array().get(rs_array)) return result;
    for (dom::element rs : rs_array) {
      dom::object rs_obj;
      if (rs.get_object().get(rs_obj)) continue;
      DecodeResource(rs_obj);
      dom::element scope_spans;
      if (FindField(rs_obj, "scopeSpans", "scope_spans", &scope_spans)) {
        size_t s = 0;
        dom::array ss_array;
        if (scope_spans.get_array().get(ss_array)) continue;
        for (dom::element ss : ss_array) {
          dom::object ss_obj;
          if (ss.get_object().get(ss_obj)) continue;
          OtlpFieldError scope_error;
          bool scope_ok = DecodeScope(ss_obj, &scope_error);
          dom::element spans;
          if (FindField(ss_obj, "spans", "spans", &spans)) {
            size_t i = 0;
            dom::array span_array;
            if (spans.get_array().get(span_array)) continue;
            for (dom::element sp : span_array) {
              OtlpFieldError error;
              if (!DecodeSpan(sp, &error)) {
                Reject(result, r, s, i, error);
              } else if (!scope_ok) {
                OtlpFieldError copy = scope_error;
                Reject(result, r, s, i, copy);
              } else if (!OtlpSpanMapper::Map(resource, scope, span, &event, &error)) {
                Reject(result, r, s, i, error);
              } else {
                sink.OnEvent(event);
                ++result.accepted;
              }
              ++i;
            }
          }
          ++s;
        }
      }
      ++r;
    }
    return result;
  }
};

OtlpJsonTraceParser::OtlpJsonTraceParser(OtlpLimits limits)
    : impl_(std::make_unique<Impl>(limits)) {}
OtlpJsonTraceParser::~OtlpJsonTraceParser() = default;

Result<OtlpTraceResult> OtlpJsonTraceParser::Parse(std::string_view body, EventSink& sink,
                                                   bool padded) {
  return impl_->Parse(body, sink, padded);
}

}  // namespace inferscope
