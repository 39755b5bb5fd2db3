#include "ingest/otlp_json_trace_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "otlp_test_util.h"
#include "test_sink.h"

namespace inferscope {
namespace {

using testing::CollectingSink;
using testing::OwnedEvent;

struct Parsed {
  Status status;
  OtlpTraceResult result;
  std::vector<OwnedEvent> events;
};

Parsed ParseJson(const std::string& body, OtlpLimits limits = {}) {
  OtlpJsonTraceParser parser(limits);
  CollectingSink sink;
  Result<OtlpTraceResult> r = parser.Parse(body, sink);
  Parsed out;
  out.status = r.status();
  if (r.ok()) out.result = *r;
  out.events = std::move(sink.events);
  return out;
}

constexpr const char* kTrace = R"("traceId":"5b8efff798038103d269b633813fc60c")";
constexpr const char* kTimes =
    R"("startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001250000000")";

// A span object with valid ids and times plus `extra` fields.
std::string Span(const std::string& extra = "", const std::string& span_id = "eee19b7ec3c1b174") {
  std::string s = std::string("{") + kTrace + R"(,"spanId":")" + span_id + "\"," + kTimes;
  if (!extra.empty()) s += "," + extra;
  return s + "}";
}

// A request with one resource (service "gw") and one scope holding `spans`.
std::string Request(
    const std::vector<std::string>& spans,
    const std::string& resource_attrs = R"({"key":"service.name","value":{"stringValue":"gw"}})") {
  std::string s = R"({"resourceSpans":[{"resource":{"attributes":[)" + resource_attrs +
                  R"(]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[)";
  for (size_t i = 0; i < spans.size(); ++i) s += (i ? "," : "") + spans[i];
  return s + "]}]}]}";
}

std::string Attr(const std::string& key, const std::string& value_json) {
  return R"({"key":")" + key + R"(","value":)" + value_json + "}";
}

std::string Attrs(const std::vector<std::string>& attrs) {
  std::string s = R"("attributes":[)";
  for (size_t i = 0; i < attrs.size(); ++i) s += (i ? "," : "") + attrs[i];
  return s + "]";
}

std::string AttrValue(const OwnedEvent& e, const std::string& key) {
  for (const auto& [k, v] : e.attributes) {
    if (k == key) return v;
  }
  return "<absent>";
}

OwnedEvent ParseOneSpan(const std::string& span_json) {
  Parsed p = ParseJson(Request({span_json}));
  EXPECT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.events.size(), 1u) << (p.result.first_rejects.empty()
                                         ? std::string()
                                         : p.result.first_rejects[0].ToString());
  return p.events.empty() ? OwnedEvent{} : p.events[0];
}

OtlpSpanReject RejectOf(const std::string& span_json) {
  Parsed p = ParseJson(Request({span_json}));
  EXPECT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.result.rejected, 1u) << span_json;
  return p.result.first_rejects.empty() ? OtlpSpanReject{} : p.result.first_rejects[0];
}

TEST(OtlpJsonTraceParserTest, ParsesTheSharedExampleUnchanged) {
  Parsed p = ParseJson(testing::SharedOtlpTraceJson());
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.result.accepted, 1u);
  EXPECT_EQ(p.result.rejected, 0u);
  ASSERT_EQ(p.events.size(), 1u);
  const OwnedEvent& e = p.events[0];
  EXPECT_EQ(e.timestamp_ns, 1544712660000000000LL);
  // end - start = 1 s.
  EXPECT_TRUE(e.Has(EventField::kLatencyMs));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 1000.0);
  EXPECT_EQ(e.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(e.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(e.parent_span_id, "eee19b7ec3c1b173");
  EXPECT_EQ(e.service, "my.service");
  EXPECT_EQ(e.status, EventStatus::kOk);
  EXPECT_EQ(e.status_text, "unset");
  EXPECT_EQ(e.model, "");
  EXPECT_EQ(e.task_type, "");
  // Only latency is present: no GenAI attributes in this span.
  EXPECT_EQ(e.present, 1u << static_cast<int>(EventField::kLatencyMs));
  std::vector<std::pair<std::string, std::string>> want = {
      {"my.span.attr", R"("some value")"},  {"otel.scope.name", R"("my.library")"},
      {"otel.scope.version", R"("1.0.0")"}, {"otel.span.name", R"("I'm a server span")"},
      {"otel.span.kind", R"("server")"},
  };
  EXPECT_EQ(e.attributes, want);
}

TEST(OtlpJsonTraceParserTest, MapsGenAiAttributesOntoEventFields) {
  OwnedEvent e = ParseOneSpan(
      Span(Attrs({Attr("gen_ai.operation.name", R"({"stringValue":"chat"})"),
                  Attr("gen_ai.request.model", R"({"stringValue":"gpt-4o"})"),
                  Attr("gen_ai.response.model", R"({"stringValue":"gpt-4o-2024-08-06"})"),
                  Attr("gen_ai.usage.input_tokens", R"({"intValue":"512"})"),
                  Attr("gen_ai.usage.output_tokens", R"({"intValue":128})"),
                  Attr("gen_ai.provider.name", R"({"stringValue":"openai"})"),
                  Attr("gen_ai.response.id", R"({"stringValue":"chatcmpl-1"})"),
                  Attr("gen_ai.server.time_to_first_token", R"({"doubleValue":0.25})"),
                  Attr("user.id", R"({"stringValue":"u-7"})")}) +
           R"(,"name":"chat gpt-4o","kind":"SPAN_KIND_CLIENT")"));
  EXPECT_EQ(e.model, "gpt-4o-2024-08-06");
  EXPECT_EQ(e.task_type, "chat");
  EXPECT_EQ(e.request_id, "chatcmpl-1");
  EXPECT_EQ(e.user, "u-7");
  EXPECT_EQ(e.service, "gw");
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 512);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kOutputTokens), 128);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kTtftMs), 250);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 1250);
  EXPECT_EQ(e.timestamp_ns, 1700000000000000000LL);
  // The request model lost to the response model, so it stays as an attribute; fields
  // that became Event fields do not.
  EXPECT_EQ(AttrValue(e, "gen_ai.request.model"), R"("gpt-4o")");
  EXPECT_EQ(AttrValue(e, "gen_ai.provider.name"), R"("openai")");
  EXPECT_EQ(AttrValue(e, "gen_ai.response.model"), "<absent>");
  EXPECT_EQ(AttrValue(e, "gen_ai.usage.input_tokens"), "<absent>");
  EXPECT_EQ(AttrValue(e, "user.id"), "<absent>");
  EXPECT_EQ(AttrValue(e, "otel.span.kind"), R"("client")");
  EXPECT_EQ(AttrValue(e, "otel.span.name"), R"("chat gpt-4o")");
}

TEST(OtlpJsonTraceParserTest, ReadsTheOlderGenAiNames) {
  OwnedEvent e =
      ParseOneSpan(Span(Attrs({Attr("gen_ai.system", R"({"stringValue":"openai"})"),
                               Attr("gen_ai.request.model", R"({"stringValue":"gpt-3.5"})"),
                               Attr("gen_ai.usage.prompt_tokens", R"({"intValue":"10"})"),
                               Attr("gen_ai.usage.completion_tokens", R"({"intValue":"20"})"),
                               Attr("enduser.id", R"({"stringValue":"old-user"})")})));
  EXPECT_EQ(e.model, "gpt-3.5");
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 10);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kOutputTokens), 20);
  EXPECT_EQ(e.user, "old-user");
  EXPECT_EQ(AttrValue(e, "gen_ai.system"), R"("openai")");
  EXPECT_EQ(AttrValue(e, "gen_ai.usage.prompt_tokens"), "<absent>");
}

TEST(OtlpJsonTraceParserTest, NewTokenNamesWinOverOlderOnesWhichAreKept) {
  OwnedEvent e =
      ParseOneSpan(Span(Attrs({Attr("gen_ai.usage.prompt_tokens", R"({"intValue":"1"})"),
                               Attr("gen_ai.usage.input_tokens", R"({"intValue":"2"})")})));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 2);
  EXPECT_EQ(AttrValue(e, "gen_ai.usage.prompt_tokens"), "1");
  EXPECT_FALSE(e.Has(EventField::kOutputTokens));
}

TEST(OtlpJsonTraceParserTest, ErrorStatusBecomesErrorWithErrorTypeAsStatusText) {
  OwnedEvent e = ParseOneSpan(Span(Attrs({Attr("error.type", R"({"stringValue":"timeout"})")}) +
                                   R"(,"status":{"code":2,"message":"upstream timed out"})"));
  EXPECT_EQ(e.status, EventStatus::kError);
  EXPECT_EQ(e.status_text, "timeout");
  EXPECT_EQ(AttrValue(e, "error.type"), R"("timeout")");
  EXPECT_EQ(AttrValue(e, "otel.status_description"), R"("upstream timed out")");

  OwnedEvent named = ParseOneSpan(Span(R"("status":{"code":"STATUS_CODE_ERROR"})"));
  EXPECT_EQ(named.status, EventStatus::kError);
  EXPECT_EQ(named.status_text, "error");

  OwnedEvent ok = ParseOneSpan(Span(R"("status":{"code":"STATUS_CODE_OK"})"));
  EXPECT_EQ(ok.status, EventStatus::kOk);
  EXPECT_EQ(ok.status_text, "ok");

  // error.type alone does not make a span an error: the span status decides.
  OwnedEvent unset = ParseOneSpan(Span(Attrs({Attr("error.type", R"({"stringValue":"x"})")})));
  EXPECT_EQ(unset.status, EventStatus::kOk);
}

TEST(OtlpJsonTraceParserTest, AcceptsSnakeCaseNumbersForInt64AndUpperCaseHex) {
  OwnedEvent e = ParseOneSpan(
      R"({"trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"EEE19B7EC3C1B174",)"
      R"("parent_span_id":"","start_time_unix_nano":1700000000000000000,)"
      R"("end_time_unix_nano":1700000000500000000,"kind":3,)"
      R"("attributes":[{"key":"gen_ai.usage.input_tokens","value":{"int_value":7}}]})");
  EXPECT_EQ(e.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(e.parent_span_id, "");
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 500);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 7);
  EXPECT_EQ(AttrValue(e, "otel.span.kind"), R"("client")");
}

TEST(OtlpJsonTraceParserTest, IgnoresUnknownFieldsAtEveryLevel) {
  std::string body =
      R"({"extra":1,"resourceSpans":[{"x":[1,2],"resource":{"attributes":[],"y":{}},)"
      R"("schemaUrl":"s","scopeSpans":[{"scope":{"name":"l","z":true},"spans":[)" +
      Span(R"("future":{"a":[null]},"events":[{"name":"e"}],"links":[],"flags":256,)"
           R"("traceState":"k=v","droppedAttributesCount":3)") +
      "]}]}]}";
  Parsed p = ParseJson(body);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.result.accepted, 1u);
}

TEST(OtlpJsonTraceParserTest, KeepsEveryAttributeTypeAsCanonicalJson) {
  OwnedEvent e = ParseOneSpan(Span(Attrs({
      Attr("s", R"({"stringValue":"a\"b\u00e9"})"),
      Attr("b", R"({"boolValue":true})"),
      Attr("i", R"({"intValue":"-42"})"),
      Attr("d", R"({"doubleValue":637.704})"),
      Attr("d2", R"({"doubleValue":"NaN"})"),
      Attr("bytes", R"({"bytesValue":"aGVsbG8"})"),
      Attr("arr", R"({"arrayValue":{"values":[{"stringValue":"many"},{"intValue":1}]}})"),
      Attr("map", R"({"kvlistValue":{"values":[{"key":"k","value":{"boolValue":false}}]}})"),
      Attr("empty", R"({})"),
      Attr("nul", "null"),
  })));
  EXPECT_EQ(AttrValue(e, "s"), "\"a\\\"b\xc3\xa9\"");
  EXPECT_EQ(AttrValue(e, "b"), "true");
  EXPECT_EQ(AttrValue(e, "i"), "-42");
  EXPECT_EQ(AttrValue(e, "d"), "637.704");
  EXPECT_EQ(AttrValue(e, "d2"), "null");
  EXPECT_EQ(AttrValue(e, "bytes"), R"("aGVsbG8=")");
  EXPECT_EQ(AttrValue(e, "arr"), R"(["many",1])");
  EXPECT_EQ(AttrValue(e, "map"), R"({"k":false})");
  EXPECT_EQ(AttrValue(e, "empty"), "null");
  EXPECT_EQ(AttrValue(e, "nul"), "null");
}

TEST(OtlpJsonTraceParserTest, KeepsResourceAttributesWithAPrefix) {
  Parsed p = ParseJson(Request({Span()}, Attr("service.name", R"({"stringValue":"gw"})") + "," +
                                             Attr("host.name", R"({"stringValue":"h1"})")));
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].service, "gw");
  EXPECT_EQ(AttrValue(p.events[0], "resource.host.name"), R"("h1")");
  EXPECT_EQ(AttrValue(p.events[0], "resource.service.name"), "<absent>");
}

TEST(OtlpJsonTraceParserTest, ABadSpanIsRejectedAndItsNeighboursKept) {
  Parsed p = ParseJson(
      Request({Span("", "0000000000000001"), Span(R"("endTimeUnixNano":"1")", "0000000000000002"),
               Span("", "0000000000000003")}));
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 2u);
  EXPECT_EQ(p.result.rejected, 1u);
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].span_id, "0000000000000001");
  EXPECT_EQ(p.events[1].span_id, "0000000000000003");
  ASSERT_EQ(p.result.first_rejects.size(), 1u);
  const OtlpSpanReject& r = p.result.first_rejects[0];
  EXPECT_EQ(r.resource_index, 0u);
  EXPECT_EQ(r.scope_index, 0u);
  EXPECT_EQ(r.span_index, 1u);
  EXPECT_EQ(r.field, "endTimeUnixNano");
  EXPECT_NE(r.reason.find("ends before the span starts"), std::string::npos) << r.reason;
  EXPECT_EQ(p.result.PartialSuccessMessage(),
            "1 of 3 spans rejected: resourceSpans[0].scopeSpans[0].spans[1]: endTimeUnixNano: " +
                r.reason);
}

TEST(OtlpJsonTraceParserTest, RejectsSpansWithoutTimesOrIds) {
  const std::string ids = std::string(kTrace) + R"(,"spanId":"eee19b7ec3c1b174")";
  EXPECT_EQ(RejectOf("{" + ids + R"(,"endTimeUnixNano":"5"})").field, "startTimeUnixNano");
  EXPECT_EQ(RejectOf("{" + ids + R"(,"startTimeUnixNano":"5"})").field, "endTimeUnixNano");
  EXPECT_EQ(RejectOf(std::string("{") + kTimes + R"(,"spanId":"eee19b7ec3c1b174"})").field,
            "traceId");
  EXPECT_EQ(RejectOf(std::string("{") + kTrace + "," + kTimes + "}").field, "spanId");
  // Base64 ids (the proto3 default for bytes) are not OTLP/JSON.
  EXPECT_EQ(RejectOf(std::string("{") + R"("traceId":"W47/95gDgQPSabYzgT/GDA==",)" +
                     R"("spanId":"eee19b7ec3c1b174",)" + kTimes + "}")
                .field,
            "traceId");
  EXPECT_EQ(RejectOf(Span("", "00000000000000000")).field, "spanId");  // 17 digits
  OtlpSpanReject zero = RejectOf(Span("", "0000000000000000"));
  EXPECT_EQ(zero.field, "spanId");
  EXPECT_NE(zero.reason.find("all zeroes"), std::string::npos);
}

TEST(OtlpJsonTraceParserTest, RejectsFieldsOfTheWrongType) {
  EXPECT_EQ(RejectOf(Span(R"("name":5)")).field, "name");
  EXPECT_EQ(RejectOf(Span(R"("kind":"SERVER")")).field, "kind");
  EXPECT_EQ(RejectOf(Span(R"("kind":1.5)")).field, "kind");
  EXPECT_EQ(RejectOf(Span(R"("status":"error")")).field, "status");
  EXPECT_EQ(RejectOf(Span(R"("status":{"code":"BAD"})")).field, "status.code");
  EXPECT_EQ(RejectOf(Span(R"("attributes":{})")).field, "attributes");
  EXPECT_EQ(RejectOf(Span(R"("attributes":[1])")).field, "attributes[0]");
  EXPECT_EQ(RejectOf(Span(R"("attributes":[{"value":{"intValue":1}}])")).field,
            "attributes[0].key");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("x", R"({"intValue":"12abc"})")}))).field, "attributes[x]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("x", R"({"intValue":1.5})")}))).field, "attributes[x]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("x", R"({"boolValue":"true"})")}))).field, "attributes[x]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("x", R"({"stringValue":"a","intValue":1})")}))).field,
            "attributes[x]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("x", R"({"bytesValue":"not base64!"})")}))).field,
            "attributes[x]");
  EXPECT_EQ(RejectOf(Span(R"("startTimeUnixNano":"-5")")).field, "startTimeUnixNano");
  EXPECT_EQ(RejectOf(Span(R"("startTimeUnixNano":true)")).field, "startTimeUnixNano");
  EXPECT_EQ(RejectOf(Span(R"("endTimeUnixNano":"99999999999999999999")")).field, "endTimeUnixNano");
  // A start past the int64 nanosecond range cannot be an Event timestamp.
  EXPECT_EQ(RejectOf(Span(R"("startTimeUnixNano":"18000000000000000000",)"
                          R"("endTimeUnixNano":"18000000000000000001")"))
                .field,
            "startTimeUnixNano");
}

TEST(OtlpJsonTraceParserTest, RejectsGenAiAttributesOfTheWrongType) {
  OtlpSpanReject r =
      RejectOf(Span(Attrs({Attr("gen_ai.usage.input_tokens", R"({"stringValue":"5"})")})));
  EXPECT_EQ(r.field, "attributes[gen_ai.usage.input_tokens]");
  EXPECT_EQ(r.reason, "expected an int, got a string");
  EXPECT_EQ(
      RejectOf(Span(Attrs({Attr("gen_ai.usage.output_tokens", R"({"intValue":"-1"})")}))).field,
      "attributes[gen_ai.usage.output_tokens]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("gen_ai.request.model", R"({"intValue":"4"})")}))).field,
            "attributes[gen_ai.request.model]");
  EXPECT_EQ(
      RejectOf(
          Span(Attrs({Attr("gen_ai.server.time_to_first_token", R"({"doubleValue":"Infinity"})")})))
          .field,
      "attributes[gen_ai.server.time_to_first_token]");
  EXPECT_EQ(RejectOf(Span(Attrs({Attr("error.type", R"({"boolValue":true})")}))).field,
            "attributes[error.type]");
}

TEST(OtlpJsonTraceParserTest, RejectsHugeAttributesAndKeepsNeighbours) {
  OtlpLimits limits;
  limits.max_attribute_bytes = 1000;
  const std::string big(2000, 'x');
  Parsed p = ParseJson(
      Request({Span(Attrs({Attr("big", R"({"stringValue":")" + big + "\"}")})), Span()}), limits);
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 1u);
  ASSERT_EQ(p.result.rejected, 1u);
  EXPECT_EQ(p.result.first_rejects[0].field, "attributes[big]");
  EXPECT_NE(p.result.first_rejects[0].reason.find("over the limit of 1000"), std::string::npos);

  // An array of many small values counts as one value.
  std::string many = R"({"arrayValue":{"values":[)";
  for (int i = 0; i < 300; ++i) many += std::string(i ? "," : "") + R"({"intValue":1234})";
  many += "]}}";
  p = ParseJson(Request({Span(Attrs({Attr("arr", many)}))}), limits);
  EXPECT_EQ(p.result.rejected, 1u);

  // A huge key.
  p = ParseJson(Request({Span(Attrs({Attr(big, R"({"intValue":1})")}))}), limits);
  ASSERT_EQ(p.result.rejected, 1u);
  EXPECT_EQ(p.result.first_rejects[0].field, "attributes[0].key");
}

TEST(OtlpJsonTraceParserTest, RejectsTooManyAttributesAndTooDeepValues) {
  OtlpLimits limits;
  limits.max_attributes = 3;
  limits.max_value_depth = 4;
  std::vector<std::string> four;
  for (int i = 0; i < 4; ++i) four.push_back(Attr("k" + std::to_string(i), R"({"intValue":1})"));
  Parsed p = ParseJson(Request({Span(Attrs(four))}), limits);
  ASSERT_EQ(p.result.rejected, 1u);
  EXPECT_EQ(p.result.first_rejects[0].field, "attributes");

  auto nested = [](int depth) {
    std::string v = R"({"intValue":1})";
    for (int i = 0; i < depth; ++i) v = R"({"arrayValue":{"values":[)" + v + "]}}";
    return v;
  };
  p = ParseJson(Request({Span(Attrs({Attr("ok", nested(4))}))}), limits);
  EXPECT_EQ(p.result.accepted, 1u);
  p = ParseJson(Request({Span(Attrs({Attr("deep", nested(5))}))}), limits);
  ASSERT_EQ(p.result.rejected, 1u);
  EXPECT_NE(p.result.first_rejects[0].reason.find("nested deeper"), std::string::npos);
}

TEST(OtlpJsonTraceParserTest, ABadResourceRejectsItsSpansOnly) {
  std::string body =
      R"({"resourceSpans":[)"
      R"({"resource":{"attributes":[{"key":"service.name","value":{"intValue":1}}]},)"
      R"("scopeSpans":[{"spans":[)" +
      Span() + "," + Span() + R"(]}]},{"scopeSpans":[{"spans":[)" + Span() + "]}]}]}";
  Parsed p = ParseJson(body);
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 1u);
  EXPECT_EQ(p.result.rejected, 2u);
  EXPECT_EQ(p.result.first_rejects[0].field, "resource.attributes[service.name]");
  EXPECT_EQ(p.result.first_rejects[1].span_index, 1u);
  EXPECT_EQ(p.events[0].service, "");
}

TEST(OtlpJsonTraceParserTest, ASpanThatIsNotAnObjectIsRejected) {
  Parsed p = ParseJson(Request({"1", Span(), "[]"}));
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.result.accepted, 1u);
  EXPECT_EQ(p.result.rejected, 2u);
}

TEST(OtlpJsonTraceParserTest, RefusesBodiesThatAreNotJsonOrNotUtf8) {
  for (const std::string& body :
       {std::string(""), std::string("{"), std::string(R"({"resourceSpans":[)"),
        std::string("not json"), std::string(R"({"a":1}{"b":2})"), Request({Span()}).substr(0, 100),
        std::string(R"({"resourceSpans":[],"x":")") + "\xff\xfe" + "\"}"}) {
    Parsed p = ParseJson(body);
    EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument) << body;
    EXPECT_TRUE(p.events.empty());
  }
}

TEST(OtlpJsonTraceParserTest, InvalidUtf8InAStringValueRefusesTheBody) {
  std::string body = Request({Span(Attrs({Attr("x", "{\"stringValue\":\"a\xc3\x28\"}")})), Span()});
  Parsed p = ParseJson(body);
  EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(p.events.empty());
}

TEST(OtlpJsonTraceParserTest, ALoneSurrogateEscapeRefusesTheBody) {
  // Valid JSON syntax, but \ud800 alone is not a character: simdjson refuses the document.
  Parsed p = ParseJson(Request({Span(Attrs({Attr("x", R"({"stringValue":"\ud800"})")})), Span()}));
  EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(p.events.empty());
}

TEST(OtlpJsonTraceParserTest, RefusesAWrongStructureAboveSpansBeforeEmittingAnything) {
  // The first resource is fine, the second is not: nothing may reach the sink.
  std::string body =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + Span() + R"(]}]},{"scopeSpans":{}}]})";
  Parsed p = ParseJson(body);
  EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status.message().find("resourceSpans[1].scopeSpans"), std::string::npos)
      << p.status.message();
  EXPECT_TRUE(p.events.empty());

  for (const char* bad : {"[]", "5", R"({"resourceSpans":{}})", R"({"resourceSpans":[1]})",
                          R"({"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]})",
                          R"({"resourceSpans":[{"scopeSpans":["x"]}]})"}) {
    EXPECT_EQ(ParseJson(bad).status.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(OtlpJsonTraceParserTest, AcceptsEmptyRequests) {
  for (const char* body :
       {"{}", R"({"resourceSpans":[]})", R"({"resourceSpans":null})", R"({"resourceSpans":[{}]})",
        R"({"resourceSpans":[{"scopeSpans":[{}]}]})"}) {
    Parsed p = ParseJson(body);
    ASSERT_TRUE(p.status.ok()) << body << ": " << p.status.ToString();
    EXPECT_EQ(p.result.accepted, 0u);
    EXPECT_EQ(p.result.rejected, 0u);
  }
}

TEST(OtlpJsonTraceParserTest, RefusesBodiesOverTheSizeLimit) {
  OtlpLimits limits;
  limits.max_body_bytes = 100;
  std::string body = Request({Span()});
  ASSERT_GT(body.size(), 100u);
  Parsed p = ParseJson(body, limits);
  EXPECT_EQ(p.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(p.events.empty());
}

TEST(OtlpJsonTraceParserTest, KeepsOnlyTheFirstRejectsButCountsAll) {
  OtlpLimits limits;
  limits.keep_rejects = 2;
  std::vector<std::string> spans(5, Span(R"("startTimeUnixNano":null)"));
  Parsed p = ParseJson(Request(spans), limits);
  EXPECT_EQ(p.result.rejected, 5u);
  EXPECT_EQ(p.result.first_rejects.size(), 2u);
  EXPECT_EQ(p.result.first_rejects[1].span_index, 1u);
}

TEST(OtlpJsonTraceParserTest, ReusesTheParserAcrossBodies) {
  OtlpJsonTraceParser parser;
  CollectingSink sink;
  for (int i = 0; i < 3; ++i) {
    Result<OtlpTraceResult> r = parser.Parse(testing::SharedOtlpTraceJson(), sink);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->accepted, 1u);
  }
  Result<OtlpTraceResult> bad = parser.Parse("{", sink);
  EXPECT_FALSE(bad.ok());
  // A body over 1 MiB makes the parser release its buffers afterwards; it still works.
  std::string big = Request({Span(R"("name":")" + std::string(2u << 20, 'n') + "\""), Span()});
  Result<OtlpTraceResult> big_result = parser.Parse(big, sink);
  ASSERT_TRUE(big_result.ok());
  EXPECT_EQ(big_result->accepted, 2u);
  sink.events.clear();
  ASSERT_TRUE(parser.Parse(testing::SharedOtlpTraceJson(), sink).ok());
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(sink.events[0].attributes.size(), 5u);
}

}  // namespace
}  // namespace inferscope
