#include "ingest/otlp_proto_trace_parser.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/otlp_json_trace_parser.h"
#include "otlp_test_util.h"
#include "test_sink.h"

namespace inferscope {
namespace {

using testing::CollectingSink;
using testing::OwnedEvent;
namespace pb = testing::otlp_pb;

struct Parsed {
  Status status;
  OtlpTraceResult result;
  std::vector<OwnedEvent> events;
};

Parsed ParseProto(const std::string& body, OtlpLimits limits = {}) {
  OtlpProtoTraceParser parser(limits);
  CollectingSink sink;
  Result<OtlpTraceResult> r = parser.Parse(body, sink);
  Parsed out;
  out.status = r.status();
  if (r.ok()) out.result = *r;
  out.events = std::move(sink.events);
  return out;
}

Parsed ParseJson(const std::string& body) {
  OtlpJsonTraceParser parser;
  CollectingSink sink;
  Result<OtlpTraceResult> r = parser.Parse(body, sink);
  Parsed out;
  out.status = r.status();
  if (r.ok()) out.result = *r;
  out.events = std::move(sink.events);
  return out;
}

void ExpectSameEvents(const std::vector<OwnedEvent>& a, const std::vector<OwnedEvent>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a[i].timestamp_ns, b[i].timestamp_ns);
    EXPECT_EQ(a[i].status, b[i].status);
    EXPECT_EQ(a[i].request_id, b[i].request_id);
    EXPECT_EQ(a[i].model, b[i].model);
    EXPECT_EQ(a[i].status_text, b[i].status_text);
    EXPECT_EQ(a[i].task_type, b[i].task_type);
    EXPECT_EQ(a[i].user, b[i].user);
    EXPECT_EQ(a[i].service, b[i].service);
    EXPECT_EQ(a[i].trace_id, b[i].trace_id);
    EXPECT_EQ(a[i].span_id, b[i].span_id);
    EXPECT_EQ(a[i].parent_span_id, b[i].parent_span_id);
    EXPECT_EQ(a[i].attributes, b[i].attributes);
    EXPECT_EQ(a[i].present, b[i].present);
    for (int f = 0; f < kEventFieldCount; ++f) {
      if (a[i].Has(static_cast<EventField>(f))) {
        EXPECT_DOUBLE_EQ(a[i].values[f], b[i].values[f])
            << EventFieldName(static_cast<EventField>(f));
      }
    }
  }
}

pb::trace::Span* AddSpan(pb::collector::ExportTraceServiceRequest* req, const std::string& span_id,
                         uint64_t start, uint64_t end) {
  if (req->resource_spans_size() == 0) req->add_resource_spans()->add_scope_spans();
  auto* span = req->mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans();
  span->set_trace_id(testing::HexToBytes("5b8efff798038103d269b633813fc60c"));
  span->set_span_id(testing::HexToBytes(span_id));
  span->set_start_time_unix_nano(start);
  span->set_end_time_unix_nano(end);
  return span;
}

TEST(OtlpProtoTraceParserTest, TheSharedExampleAsProtobufGivesTheSameEventsAsItsJson) {
  Parsed json = ParseJson(testing::SharedOtlpTraceJson());
  Parsed proto = ParseProto(testing::SharedOtlpTraceProto().SerializeAsString());
  ASSERT_TRUE(json.status.ok());
  ASSERT_TRUE(proto.status.ok()) << proto.status.ToString();
  EXPECT_EQ(proto.result.accepted, 1u);
  ASSERT_EQ(proto.events.size(), 1u);
  EXPECT_EQ(proto.events[0].trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(proto.events[0].service, "my.service");
  EXPECT_DOUBLE_EQ(proto.events[0].Get(EventField::kLatencyMs), 1000.0);
  ExpectSameEvents(proto.events, json.events);
}

TEST(OtlpProtoTraceParserTest, AGenAiRequestGivesTheSameEventsInBothEncodings) {
  const std::string json = R"({"resourceSpans":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"gateway"}},
      {"key":"deployment.environment","value":{"stringValue":"prod"}}]},
    "scopeSpans":[{"scope":{"name":"openai-instr","version":"0.1"},"spans":[
      {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
       "parentSpanId":"00f067aa0ba902b7","name":"chat gpt-4o","kind":3,
       "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000002500000000",
       "status":{"code":2,"message":"rate limited"},
       "attributes":[
        {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
        {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},
        {"key":"gen_ai.usage.completion_tokens","value":{"intValue":"80"}},
        {"key":"error.type","value":{"stringValue":"429"}},
        {"key":"gen_ai.request.temperature","value":{"doubleValue":0.7}},
        {"key":"gen_ai.request.stop_sequences","value":{"arrayValue":{"values":[
           {"stringValue":"\n"},{"boolValue":false},{"bytesValue":"AAEC"}]}}},
        {"key":"meta","value":{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"-3"}},
           {"key":"b"}]}}},
        {"key":"empty","value":{}}]},
      {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203332",
       "startTimeUnixNano":"1700000000000000000"}]}]}]})";

  pb::collector::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  testing::AddString(rs->mutable_resource()->mutable_attributes(), "service.name", "gateway");
  testing::AddString(rs->mutable_resource()->mutable_attributes(), "deployment.environment",
                     "prod");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("openai-instr");
  ss->mutable_scope()->set_version("0.1");
  auto* span = ss->add_spans();
  span->set_trace_id(testing::HexToBytes("0af7651916cd43dd8448eb211c80319c"));
  span->set_span_id(testing::HexToBytes("b7ad6b7169203331"));
  span->set_parent_span_id(testing::HexToBytes("00f067aa0ba902b7"));
  span->set_name("chat gpt-4o");
  span->set_kind(pb::trace::Span::SPAN_KIND_CLIENT);
  span->set_start_time_unix_nano(1700000000000000000ULL);
  span->set_end_time_unix_nano(1700000002500000000ULL);
  span->mutable_status()->set_code(pb::trace::Status::STATUS_CODE_ERROR);
  span->mutable_status()->set_message("rate limited");
  auto* attrs = span->mutable_attributes();
  testing::AddString(attrs, "gen_ai.operation.name", "chat");
  testing::AddString(attrs, "gen_ai.provider.name", "openai");
  testing::AddString(attrs, "gen_ai.request.model", "gpt-4o");
  auto* kv = attrs->Add();
  kv->set_key("gen_ai.usage.input_tokens");
  kv->mutable_value()->set_int_value(1200);
  kv = attrs->Add();
  kv->set_key("gen_ai.usage.completion_tokens");
  kv->mutable_value()->set_int_value(80);
  testing::AddString(attrs, "error.type", "429");
  kv = attrs->Add();
  kv->set_key("gen_ai.request.temperature");
  kv->mutable_value()->set_double_value(0.7);
  kv = attrs->Add();
  kv->set_key("gen_ai.request.stop_sequences");
  auto* arr = kv->mutable_value()->mutable_array_value();
  arr->add_values()->set_string_value("\n");
  arr->add_values()->set_bool_value(false);
  arr->add_values()->set_bytes_value(std::string("\x00\x01\x02", 3));
  kv = attrs->Add();
  kv->set_key("meta");
  auto* list = kv->mutable_value()->mutable_kvlist_value();
  auto* a = list->add_values();
  a->set_key("a");
  a->mutable_value()->set_int_value(-3);
  list->add_values()->set_key("b");
  kv = attrs->Add();
  kv->set_key("empty");
  kv->mutable_value();
  auto* no_end = ss->add_spans();
  no_end->set_trace_id(testing::HexToBytes("0af7651916cd43dd8448eb211c80319c"));
  no_end->set_span_id(testing::HexToBytes("b7ad6b7169203332"));
  no_end->set_start_time_unix_nano(1700000000000000000ULL);

  Parsed from_json = ParseJson(json);
  Parsed from_proto = ParseProto(req.SerializeAsString());
  ASSERT_TRUE(from_json.status.ok()) << from_json.status.ToString();
  ASSERT_TRUE(from_proto.status.ok()) << from_proto.status.ToString();
  EXPECT_EQ(from_json.result.accepted, 1u);
  EXPECT_EQ(from_json.result.rejected, 1u);
  EXPECT_EQ(from_proto.result.accepted, 1u);
  EXPECT_EQ(from_proto.result.rejected, 1u);
  EXPECT_EQ(from_proto.result.PartialSuccessMessage(), from_json.result.PartialSuccessMessage());
  ExpectSameEvents(from_proto.events, from_json.events);

  ASSERT_EQ(from_proto.events.size(), 1u);
  const OwnedEvent& e = from_proto.events[0];
  EXPECT_EQ(e.model, "gpt-4o");
  EXPECT_EQ(e.task_type, "chat");
  EXPECT_EQ(e.status, EventStatus::kError);
  EXPECT_EQ(e.status_text, "429");
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 2500);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 1200);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kOutputTokens), 80);
  std::vector<std::pair<std::string, std::string>> want = {
      {"gen_ai.provider.name", R"("openai")"},
      {"error.type", R"("429")"},
      {"gen_ai.request.temperature", "0.7"},
      {"gen_ai.request.stop_sequences", R"(["\n",false,"AAEC"])"},
      {"meta", R"({"a":-3,"b":null})"},
      {"empty", "null"},
      {"resource.deployment.environment", R"("prod")"},
      {"otel.scope.name", R"("openai-instr")"},
      {"otel.scope.version", R"("0.1")"},
      {"otel.span.name", R"("chat gpt-4o")"},
      {"otel.span.kind", R"("client")"},
      {"otel.status_description", R"("rate limited")"},
  };
  EXPECT_EQ(e.attributes, want);
}

TEST(OtlpProtoTraceParserTest, RefusesTruncatedBodiesAndNeverCrashesOnAnyPrefix) {
  std::string full = testing::SharedOtlpTraceProto().SerializeAsString();
  // Cut inside the span's name string: the length prefix promises more than is there.
  size_t name_at = full.find("I'm a server span");
  ASSERT_NE(name_at, std::string::npos);
  Parsed cut = ParseProto(full.substr(0, name_at + 3));
  EXPECT_EQ(cut.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(cut.events.empty());
  // Every prefix either fails as a whole or parses to at most the full request's spans.
  for (size_t n = 0; n < full.size(); ++n) {
    Parsed p = ParseProto(full.substr(0, n));
    if (p.status.ok()) {
      EXPECT_LE(p.result.accepted + p.result.rejected, 1u);
    } else {
      EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(OtlpProtoTraceParserTest, RefusesInvalidUtf8InAStringField) {
  pb::collector::ExportTraceServiceRequest req;
  auto* span = AddSpan(&req, "0000000000000001", 1, 2);
  testing::AddString(span->mutable_attributes(), "k", std::string("bad \xc3\x28 utf8"));
  AddSpan(&req, "0000000000000002", 1, 2);
  std::string body;
  {
    google::protobuf::LogSilencer quiet;  // the C++ serializer warns about the bad string
    body = req.SerializePartialAsString();
  }
  Parsed p = ParseProto(body);
  EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(p.events.empty());
}

TEST(OtlpProtoTraceParserTest, RefusesGarbageAndWrongWireTypes) {
  for (const std::string& body :
       {std::string("\xff\xff\xff\xff"), std::string("not a protobuf at all"),
        // field 1 length-delimited with a length past the end.
        std::string("\x0a\x7f\x00", 3)}) {
    Parsed p = ParseProto(body);
    EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  }
}

TEST(OtlpProtoTraceParserTest, AKnownFieldWithTheWrongWireTypeIsSkippedAsUnknown) {
  // Field 1 (resource_spans) sent as a varint: libprotobuf keeps it as an unknown field, as
  // the protobuf encoding rules say, so the request is valid and empty.
  Parsed p = ParseProto(std::string("\x08\x01", 2));
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted + p.result.rejected, 0u);
}

TEST(OtlpProtoTraceParserTest, AnEmptyBodyIsAnEmptyRequest) {
  Parsed p = ParseProto("");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 0u);
}

TEST(OtlpProtoTraceParserTest, SkipsUnknownFields) {
  pb::collector::ExportTraceServiceRequest req;
  AddSpan(&req, "0000000000000001", 1000, 3000);
  std::string body = req.SerializeAsString();
  // Field 99 (varint) and field 100 (length-delimited) at the top level.
  body += std::string("\x98\x06\x2a", 3);
  body += std::string(
      "\xa2\x06\x03"
      "abc",
      6);
  Parsed p = ParseProto(body);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_DOUBLE_EQ(p.events[0].Get(EventField::kLatencyMs), 0.002);
}

TEST(OtlpProtoTraceParserTest, RejectsBadSpansAndKeepsTheirNeighbours) {
  pb::collector::ExportTraceServiceRequest req;
  AddSpan(&req, "0000000000000001", 10, 20);
  AddSpan(&req, "0000000000000002", 0, 20);   // no start
  AddSpan(&req, "0000000000000003", 30, 20);  // ends before it starts
  auto* short_id = AddSpan(&req, "0000000000000004", 10, 20);
  short_id->set_trace_id("abc");
  auto* zero_id = AddSpan(&req, "0000000000000005", 10, 20);
  zero_id->set_span_id(std::string(8, '\0'));
  auto* bad_tokens = AddSpan(&req, "0000000000000006", 10, 20);
  auto* kv = bad_tokens->add_attributes();
  kv->set_key("gen_ai.usage.output_tokens");
  kv->mutable_value()->set_double_value(-2);
  auto* huge = AddSpan(&req, "0000000000000007", 10, 20);
  testing::AddString(huge->mutable_attributes(), "big", std::string(100000, 'x'));
  AddSpan(&req, "0000000000000008", 10, 20);

  Parsed p = ParseProto(req.SerializeAsString());
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 2u);
  EXPECT_EQ(p.result.rejected, 6u);
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].span_id, "0000000000000001");
  EXPECT_EQ(p.events[1].span_id, "0000000000000008");
  std::vector<std::string> fields;
  for (const auto& r : p.result.first_rejects) fields.push_back(r.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"startTimeUnixNano", "endTimeUnixNano", "traceId",
                                              "spanId", "attributes[gen_ai.usage.output_tokens]",
                                              "attributes[big]"}));
  EXPECT_EQ(p.result.first_rejects[2].reason, "expected 16 bytes, got 3");
  EXPECT_EQ(p.result.first_rejects[5].span_index, 6u);
}

TEST(OtlpProtoTraceParserTest, RejectsValuesNestedTooDeep) {
  OtlpLimits limits;
  limits.max_value_depth = 3;
  pb::collector::ExportTraceServiceRequest req;
  auto* span = AddSpan(&req, "0000000000000001", 10, 20);
  auto* kv = span->add_attributes();
  kv->set_key("deep");
  pb::common::AnyValue* v = kv->mutable_value();
  for (int i = 0; i < 4; ++i) v = v->mutable_array_value()->add_values();
  v->set_int_value(1);
  Parsed p = ParseProto(req.SerializeAsString(), limits);
  ASSERT_EQ(p.result.rejected, 1u);
  EXPECT_EQ(p.result.first_rejects[0].field, "attributes[deep]");
}

TEST(OtlpProtoTraceParserTest, RefusesBodiesOverTheSizeLimit) {
  OtlpLimits limits;
  limits.max_body_bytes = 10;
  Parsed p = ParseProto(testing::SharedOtlpTraceProto().SerializeAsString(), limits);
  EXPECT_EQ(p.status.code(), StatusCode::kResourceExhausted);
}

TEST(OtlpProtoTraceParserTest, WorksAgainAfterABigBodyReleasedItsMemory) {
  OtlpProtoTraceParser parser;
  pb::collector::ExportTraceServiceRequest big;
  AddSpan(&big, "0000000000000001", 1, 2)->set_name(std::string(2u << 20, 'n'));
  const std::string small = testing::SharedOtlpTraceProto().SerializeAsString();
  for (const std::string& body : {small, big.SerializeAsString(), small}) {
    CollectingSink sink;
    Result<OtlpTraceResult> r = parser.Parse(body, sink);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 1u);
    ASSERT_EQ(sink.events.size(), 1u);
  }
}

}  // namespace
}  // namespace inferscope
