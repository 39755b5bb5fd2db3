#include "ingest/otlp_trace_parser.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "otlp_test_util.h"
#include "test_sink.h"

namespace inferscope {
namespace {

using testing::CollectingSink;

TEST(OtlpTraceParserTest, PicksTheEncodingFromTheContentType) {
  using P = OtlpTraceParser;
  EXPECT_EQ(P::EncodingForContentType("application/json"), OtlpEncoding::kJson);
  EXPECT_EQ(P::EncodingForContentType("Application/JSON; charset=utf-8"), OtlpEncoding::kJson);
  EXPECT_EQ(P::EncodingForContentType(" application/json ;charset=UTF-8"), OtlpEncoding::kJson);
  EXPECT_EQ(P::EncodingForContentType("application/x-protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(P::EncodingForContentType("application/protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(P::EncodingForContentType("text/plain"), std::nullopt);
  EXPECT_EQ(P::EncodingForContentType(""), std::nullopt);
  EXPECT_EQ(P::EncodingForContentType("application/jsonl"), std::nullopt);
  EXPECT_EQ(P::EncodingForContentType("application/x-ndjson"), std::nullopt);
}

TEST(OtlpTraceParserTest, ParsesJsonAndProtobufPlainOrGzipped) {
  const std::string json = testing::SharedOtlpTraceJson();
  const std::string proto = testing::SharedOtlpTraceProto().SerializeAsString();
  OtlpTraceParser parser;
  struct Case {
    std::string body, type, encoding;
  } cases[] = {
      {json, "application/json", ""},
      {json, "application/json", "identity"},
      {testing::Gzip(json), "application/json", "gzip"},
      {proto, "application/x-protobuf", ""},
      {testing::Gzip(proto), "application/x-protobuf", "GZIP"},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    Result<OtlpTraceResult> r = parser.Parse(c.body, c.type, c.encoding, sink);
    ASSERT_TRUE(r.ok()) << c.type << " " << c.encoding << ": " << r.status().ToString();
    EXPECT_EQ(r->accepted, 1u);
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0].span_id, "eee19b7ec3c1b174");
  }
}

TEST(OtlpTraceParserTest, MapsEachBadInputToItsStatusCode) {
  OtlpLimits limits;
  limits.max_body_bytes = 4096;
  OtlpTraceParser parser(limits);
  CollectingSink sink;
  const std::string json = testing::SharedOtlpTraceJson();
  auto code = [&](const std::string& body, const std::string& type, const std::string& enc) {
    return parser.Parse(body, type, enc, sink).status().code();
  };
  // 415: wrong content type or encoding.
  EXPECT_EQ(code(json, "text/plain", ""), StatusCode::kUnimplemented);
  EXPECT_EQ(code(json, "application/json", "br"), StatusCode::kUnimplemented);
  // 413: too big, before or after decompression.
  EXPECT_EQ(code(std::string(5000, ' ') + json, "application/json", ""),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(code(testing::Gzip(std::string(100000, ' ') + json), "application/json", "gzip"),
            StatusCode::kResourceExhausted);
  // 400: unparseable.
  EXPECT_EQ(code("{", "application/json", ""), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(json, "application/json", "gzip"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(json, "application/x-protobuf", ""), StatusCode::kInvalidArgument);
  EXPECT_TRUE(sink.events.empty());
}

TEST(OtlpTraceParserTest, ResponseBodiesFollowOtlp) {
  OtlpTraceResult all_good;
  all_good.accepted = 3;
  EXPECT_EQ(all_good.JsonResponse(), "{}");
  EXPECT_EQ(all_good.ProtobufResponse(), "");

  // A real partial success: one good span, one without an end time.
  std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
       "startTimeUnixNano":"1","endTimeUnixNano":"2"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175",
       "startTimeUnixNano":"1"}]}]}]})";
  OtlpTraceParser parser;
  CollectingSink sink;
  Result<OtlpTraceResult> r = parser.Parse(body, "application/json", "", sink);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 1u);

  simdjson::dom::parser json;
  simdjson::dom::element doc = json.parse(r->JsonResponse());
  std::string_view rejected = doc["partialSuccess"]["rejectedSpans"].get_string();
  std::string_view message = doc["partialSuccess"]["errorMessage"].get_string();
  EXPECT_EQ(rejected, "1");
  EXPECT_EQ(message,
            "1 of 2 spans rejected: resourceSpans[0].scopeSpans[0].spans[1]: endTimeUnixNano: "
            "missing (a span needs its end time)");

  testing::otlp_pb::collector::ExportTraceServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(r->ProtobufResponse()));
  EXPECT_EQ(response.partial_success().rejected_spans(), 1);
  EXPECT_EQ(response.partial_success().error_message(), message);
}

TEST(OtlpTraceParserTest, ThePartialSuccessMessageNamesTheFirstThreeReasons) {
  OtlpTraceResult r;
  r.accepted = 1;
  for (uint32_t i = 0; i < 5; ++i) {
    OtlpSpanReject reject;
    reject.span_index = i;
    reject.field = "f";
    reject.reason = "r" + std::to_string(i);
    r.AddReject(reject, 4);
  }
  EXPECT_EQ(r.rejected, 5u);
  EXPECT_EQ(r.first_rejects.size(), 4u);
  EXPECT_EQ(r.PartialSuccessMessage(),
            "5 of 6 spans rejected: resourceSpans[0].scopeSpans[0].spans[0]: f: r0; "
            "resourceSpans[0].scopeSpans[0].spans[1]: f: r1; "
            "resourceSpans[0].scopeSpans[0].spans[2]: f: r2; ...");
}

}  // namespace
}  // namespace inferscope
