#include "ingest/otlp_proto_trace_parser.h"

#include <fmt/format.h>
#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <string>
#include <utility>

#include "core/json_writer.h"
#include "ingest/otlp_span_mapper.h"
#include "ingest/otlp_text.h"
#include "ingest/otlp_text_arena.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace inferscope {

namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace collector_pb = opentelemetry::proto::collector::trace::v1;

// Bodies up to this size leave the parsed message's memory in place for the next call.
constexpr size_t kKeepBuffersUpTo = 1u << 20;

bool IsAllZero(std::string_view bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

}  // namespace

struct OtlpProtoTraceParser::Impl {
  explicit Impl(OtlpLimits l) : limits(l) {}

  OtlpLimits limits;
  collector_pb::ExportTraceServiceRequest request;
  OtlpTextArena resource_arena;  // resource and scope text, reset per resource
  OtlpTextArena span_arena;      // span text, reset per span
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span;
  Event event;
  std::string scratch;
  std::string why;

  // Same canonical JSON as OtlpJsonTraceParser writes for the same value.
  bool WriteAnyValue(const common_pb::AnyValue& v, int depth, JsonWriter& w, OtlpValue* out) {
    out->kind = OtlpValueKind::kEmpty;
    switch (v.value_case()) {
      case common_pb::AnyValue::VALUE_NOT_SET:
        w.Null();
        return true;
      case common_pb::AnyValue::kStringValue:
        out->kind = OtlpValueKind::kString;
        out->string_value = v.string_value();
        w.String(out->string_value);
        return true;
      case common_pb::AnyValue::kBoolValue:
        out->kind = OtlpValueKind::kBool;
        out->bool_value = v.bool_value();
        w.Bool(out->bool_value);
        return true;
      case common_pb::AnyValue::kIntValue:
        out->kind = OtlpValueKind::kInt;
        out->int_value = v.int_value();
        w.Int(out->int_value);
        return true;
      case common_pb::AnyValue::kDoubleValue:
        out->kind = OtlpValueKind::kDouble;
        out->double_value = v.double_value();
        w.Number(out->double_value);
        return true;
      case common_pb::AnyValue::kBytesValue: {
        out->kind = OtlpValueKind::kBytes;
        std::string canonical;
        AppendBase64(&canonical, v.bytes_value());
        w.String(canonical);
        return true;
      }
      case common_pb::AnyValue::kArrayValue:
      case common_pb::AnyValue::kKvlistValue:
        break;
    }
    if (depth >= limits.max_value_depth) {
      why = fmt::format("nested deeper than {} levels", limits.max_value_depth);
      return false;
    }
    OtlpValue inner;
    if (v.value_case() == common_pb::AnyValue::kArrayValue) {
      out->kind = OtlpValueKind::kArray;
      w.BeginArray();
      for (const common_pb::AnyValue& item : v.array_value().values()) {
        if (!WriteAnyValue(item, depth + 1, w, &inner)) return false;
      }
      w.EndArray();
      return true;
    }
    out->kind = OtlpValueKind::kKvlist;
    w.BeginObject();
    for (const common_pb::KeyValue& kv : v.kvlist_value().values()) {
      w.Key(kv.key());
      if (!kv.has_value()) {
        w.Null();
      } else if (!WriteAnyValue(kv.value(), depth + 1, w, &inner)) {
        return false;
      }
    }
    w.EndObject();
    return true;
  }

  bool DecodeAttributes(const google::protobuf::RepeatedPtrField<common_pb::KeyValue>& attrs,
                        std::string_view prefix, OtlpTextArena& arena,
                        std::vector<OtlpKeyValue>* out, OtlpFieldError* error) {
    if (static_cast<size_t>(attrs.size()) > limits.max_attributes) {
      error->field = "attributes";
      error->reason = fmt::format("more than {} attributes", limits.max_attributes);
      return false;
    }
    int index = 0;
    for (const common_pb::KeyValue& kv : attrs) {
      std::string_view key = kv.key();
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
        if (kv.has_value()) {
          ok = WriteAnyValue(kv.value(), 0, w, &out_kv.value);
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

  // A proto3 string field as an OtlpValue; the empty string is absent.
  void DecodeStringField(const std::string& s, OtlpTextArena& arena, OtlpValue* out) {
    *out = {};
    if (s.empty()) return;
    out->kind = OtlpValueKind::kString;
    out->string_value = s;
    scratch.clear();
    AppendJsonString(&scratch, s);
    out->json = arena.Copy(scratch);
  }

  void DecodeResource(const trace_pb::ResourceSpans& rs) {
    resource_arena.Reset();
    resource.Clear();
    OtlpFieldError error;
    if (!DecodeAttributes(rs.resource().attributes(), "resource.", resource_arena,
                          &resource.attributes, &error)) {
      resource.attributes.clear();
      resource.error_field = "resource." + error.field;
      resource.error_reason = std::move(error.reason);
      return;
    }
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

  bool DecodeId(const std::string& bytes, std::string_view name, size_t n_bytes, bool root_ok,
                std::string_view* out, OtlpFieldError* error) {
    if (root_ok && (bytes.empty() || IsAllZero(bytes))) {
      *out = {};
      return true;
    }
    if (bytes.empty()) {
      error->field = std::string(name);
      error->reason = "missing";
      return false;
    }
    if (bytes.size() != n_bytes) {
      error->field = std::string(name);
      error->reason = fmt::format("expected {} bytes, got {}", n_bytes, bytes.size());
      return false;
    }
    if (IsAllZero(bytes)) {
      error->field = std::string(name);
      error->reason = "all zeroes, which is an invalid id";
      return false;
    }
    scratch.clear();
    AppendLowerHex(&scratch, bytes);
    *out = span_arena.Copy(scratch);
    return true;
  }

  bool DecodeSpan(const trace_pb::Span& sp, OtlpFieldError* error) {
    span_arena.Reset();
    span.Clear();
    if (!DecodeId(sp.trace_id(), "traceId", 16, false, &span.trace_id, error) ||
        !DecodeId(sp.span_id(), "spanId", 8, false, &span.span_id, error) ||
        !DecodeId(sp.parent_span_id(), "parentSpanId", 8, true, &span.parent_span_id, error)) {
      return false;
    }
    DecodeStringField(sp.name(), span_arena, &span.name);
    span.kind = static_cast<int32_t>(sp.kind());
    span.start_ns = sp.start_time_unix_nano();
    span.end_ns = sp.end_time_unix_nano();
    span.status_code = static_cast<int32_t>(sp.status().code());
    DecodeStringField(sp.status().message(), span_arena, &span.status_message);
    return DecodeAttributes(sp.attributes(), {}, span_arena, &span.attributes, error);
  }

  void Reject(OtlpTraceResult& result, int r, int s, int i, OtlpFieldError& error) {
    OtlpSpanReject reject;
    reject.resource_index = static_cast<uint32_t>(r);
    reject.scope_index = static_cast<uint32_t>(s);
    reject.span_index = static_cast<uint32_t>(i);
    reject.field = std::move(error.field);
    reject.reason = std::move(error.reason);
    result.AddReject(std::move(reject), limits.keep_rejects);
  }

  Result<OtlpTraceResult> Parse(std::string_view body, EventSink& sink) {
    if (body.size() > limits.max_body_bytes || body.size() > static_cast<size_t>(INT_MAX)) {
      return Status::ResourceExhausted(fmt::format("body is {} bytes, over the limit of {}",
                                                   body.size(), limits.max_body_bytes));
    }
    bool parsed = false;
    {
      // libprotobuf logs every invalid UTF-8 string it meets; a client must not be able to
      // flood our log with them. The reject reaches the caller as the returned Status.
      google::protobuf::LogSilencer silence;
      parsed = request.ParseFromArray(body.data(), static_cast<int>(body.size()));
    }
    if (!parsed) {
      return Status::InvalidArgument(
          "invalid protobuf: not an ExportTraceServiceRequest (truncated, malformed, or "
          "invalid UTF-8 in a string field)");
    }

    OtlpTraceResult result;
    Decode(result, sink);
    if (body.size() > kKeepBuffersUpTo) {
      // A cleared message keeps its sub-objects for reuse; after a big body that could pin
      // ~30x its size, so hand the memory back instead.
      collector_pb::ExportTraceServiceRequest().Swap(&request);
    }
    return result;
  }

  void Decode(OtlpTraceResult& result, EventSink& sink) {
    for (int r = 0; r < request.resource_spans_size(); ++r) {
      const trace_pb::ResourceSpans& rs = request.resource_spans(r);
      DecodeResource(rs);
      for (int s = 0; s < rs.scope_spans_size(); ++s) {
        const trace_pb::ScopeSpans& ss = rs.scope_spans(s);
        DecodeStringField(ss.scope().name(), resource_arena, &scope.name);
        DecodeStringField(ss.scope().version(), resource_arena, &scope.version);
        for (int i = 0; i < ss.spans_size(); ++i) {
          OtlpFieldError error;
          if (!DecodeSpan(ss.spans(i), &error) ||
              !OtlpSpanMapper::Map(resource, scope, span, &event, &error)) {
            Reject(result, r, s, i, error);
          } else {
            sink.OnEvent(event);
            ++result.accepted;
          }
        }
      }
    }
  }
};

OtlpProtoTraceParser::OtlpProtoTraceParser(OtlpLimits limits)
    : impl_(std::make_unique<Impl>(limits)) {}
OtlpProtoTraceParser::~OtlpProtoTraceParser() = default;

Result<OtlpTraceResult> OtlpProtoTraceParser::Parse(std::string_view body, EventSink& sink) {
  return impl_->Parse(body, sink);
}

}  // namespace inferscope
