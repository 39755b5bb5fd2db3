// Fuzzes OtlpProtoTraceParser, and checks it against OtlpJsonTraceParser: when a body is a
// valid ExportTraceServiceRequest, the fuzz target writes the same request as OTLP/JSON
// (hex ids, int64 as strings, enums as numbers) and both parsers must hand identical Events
// to the sink and accept/reject the same number of spans. Also: no crash, leak or sanitizer
// report on any body; every Event holds the invariants CheckingSink checks.

#include <google/protobuf/stubs/logging.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "ingest/otlp_json_trace_parser.h"
#include "ingest/otlp_proto_trace_parser.h"
#include "ingest/otlp_text.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_fuzz_support.h"

namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace collector_pb = opentelemetry::proto::collector::trace::v1;
using inferscope::JsonWriter;
using inferscope::fuzz::Check;
using inferscope::fuzz::CheckingSink;

std::string Hex(const std::string& bytes) {
  std::string out;
  inferscope::AppendLowerHex(&out, bytes);
  return out;
}

void WriteValue(const common_pb::AnyValue& v, JsonWriter& w);

void WriteKeyValues(const google::protobuf::RepeatedPtrField<common_pb::KeyValue>& kvs,
                    JsonWriter& w) {
  w.BeginArray();
  for (const auto& kv : kvs) {
    w.BeginObject();
    w.Key("key").String(kv.key());
    if (kv.has_value()) {
      w.Key("value");
      WriteValue(kv.value(), w);
    }
    w.EndObject();
  }
  w.EndArray();
}

void WriteValue(const common_pb::AnyValue& v, JsonWriter& w) {
  w.BeginObject();
  switch (v.value_case()) {
    case common_pb::AnyValue::kStringValue:
      w.Key("stringValue").String(v.string_value());
      break;
    case common_pb::AnyValue::kBoolValue:
      w.Key("boolValue").Bool(v.bool_value());
      break;
    case common_pb::AnyValue::kIntValue:
      w.Key("intValue").String(std::to_string(v.int_value()));
      break;
    case common_pb::AnyValue::kDoubleValue: {
      double d = v.double_value();
      w.Key("doubleValue");
      if (std::isnan(d)) {
        w.String("NaN");
      } else if (std::isinf(d)) {
        w.String(d > 0 ? "Infinity" : "-Infinity");
      } else {
        w.Number(d);
      }
      break;
    }
    case common_pb::AnyValue::kBytesValue: {
      std::string b64;
      inferscope::AppendBase64(&b64, v.bytes_value());
      w.Key("bytesValue").String(b64);
      break;
    }
    case common_pb::AnyValue::kArrayValue:
      w.Key("arrayValue").BeginObject().Key("values").BeginArray();
      for (const auto& item : v.array_value().values()) WriteValue(item, w);
      w.EndArray().EndObject();
      break;
    case common_pb::AnyValue::kKvlistValue:
      w.Key("kvlistValue").BeginObject().Key("values");
      WriteKeyValues(v.kvlist_value().values(), w);
      w.EndObject();
      break;
    case common_pb::AnyValue::VALUE_NOT_SET:
      break;
  }
  w.EndObject();
}

std::string ToOtlpJson(const collector_pb::ExportTraceServiceRequest& req) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("resourceSpans").BeginArray();
  for (const auto& rs : req.resource_spans()) {
    w.BeginObject();
    if (rs.has_resource()) {
      w.Key("resource").BeginObject().Key("attributes");
      WriteKeyValues(rs.resource().attributes(), w);
      w.EndObject();
    }
    w.Key("scopeSpans").BeginArray();
    for (const auto& ss : rs.scope_spans()) {
      w.BeginObject();
      if (ss.has_scope()) {
        w.Key("scope").BeginObject();
        w.Key("name").String(ss.scope().name());
        w.Key("version").String(ss.scope().version());
        w.EndObject();
      }
      w.Key("spans").BeginArray();
      for (const auto& sp : ss.spans()) {
        w.BeginObject();
        w.Key("traceId").String(Hex(sp.trace_id()));
        w.Key("spanId").String(Hex(sp.span_id()));
        w.Key("parentSpanId").String(Hex(sp.parent_span_id()));
        w.Key("name").String(sp.name());
        w.Key("kind").Int(sp.kind());
        w.Key("startTimeUnixNano").String(std::to_string(sp.start_time_unix_nano()));
        w.Key("endTimeUnixNano").String(std::to_string(sp.end_time_unix_nano()));
        if (sp.has_status()) {
          w.Key("status").BeginObject();
          w.Key("code").Int(sp.status().code());
          w.Key("message").String(sp.status().message());
          w.EndObject();
        }
        w.Key("attributes");
        WriteKeyValues(sp.attributes(), w);
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  inferscope::OtlpLimits limits;
  if (size > 0 && (data[0] & 1)) {
    limits.max_attribute_bytes = 64;
    limits.max_attributes = 4;
    limits.max_value_depth = 2;
  }
  inferscope::OtlpProtoTraceParser proto_parser(limits);
  CheckingSink proto_sink;
  auto from_proto = proto_parser.Parse(body, proto_sink);

  collector_pb::ExportTraceServiceRequest req;
  bool parsed;
  {
    google::protobuf::LogSilencer quiet;
    parsed = req.ParseFromArray(data, static_cast<int>(size));
  }
  Check(parsed == from_proto.ok());
  if (!from_proto.ok()) {
    Check(proto_sink.events.empty());
    return 0;
  }
  Check(from_proto->accepted == proto_sink.events.size());

  inferscope::OtlpJsonTraceParser json_parser(limits);
  CheckingSink json_sink;
  auto from_json = json_parser.Parse(ToOtlpJson(req), json_sink);
  Check(from_json.ok());
  Check(from_json->accepted == from_proto->accepted);
  Check(from_json->rejected == from_proto->rejected);
  Check(json_sink.events == proto_sink.events);
  return 0;
}
