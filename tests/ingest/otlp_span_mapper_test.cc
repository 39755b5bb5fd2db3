#include "ingest/otlp_span_mapper.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

OtlpKeyValue Str(std::string_view key, std::string_view value, std::string_view json) {
  OtlpKeyValue kv;
  kv.key = key;
  kv.value.kind = OtlpValueKind::kString;
  kv.value.string_value = value;
  kv.value.json = json;
  return kv;
}

OtlpKeyValue Int(std::string_view key, int64_t value, std::string_view json) {
  OtlpKeyValue kv;
  kv.key = key;
  kv.value.kind = OtlpValueKind::kInt;
  kv.value.int_value = value;
  kv.value.json = json;
  return kv;
}

OtlpSpanFields BaseSpan() {
  OtlpSpanFields span;
  span.trace_id = "5b8efff798038103d269b633813fc60c";
  span.span_id = "eee19b7ec3c1b174";
  span.start_ns = 1'000'000'000;
  span.end_ns = 1'123'456'789;
  return span;
}

TEST(OtlpSpanMapperTest, LatencyIsEndMinusStartInMilliseconds) {
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span = BaseSpan();
  Event e;
  OtlpFieldError error;
  ASSERT_TRUE(OtlpSpanMapper::Map(resource, scope, span, &e, &error));
  EXPECT_EQ(e.timestamp_ns, 1'000'000'000);
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 123.456789);
  EXPECT_EQ(e.status_text, "unset");
  // A zero-length span is fine.
  span.end_ns = span.start_ns;
  ASSERT_TRUE(OtlpSpanMapper::Map(resource, scope, span, &e, &error));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kLatencyMs), 0);
}

TEST(OtlpSpanMapperTest, TheResponseModelWinsAndAnEmptyOneFallsBackToTheRequestModel) {
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span = BaseSpan();
  span.attributes = {Str("gen_ai.request.model", "req", "\"req\""),
                     Str("gen_ai.response.model", "", "\"\"")};
  Event e;
  OtlpFieldError error;
  ASSERT_TRUE(OtlpSpanMapper::Map(resource, scope, span, &e, &error));
  EXPECT_EQ(e.model, "req");
  ASSERT_EQ(e.attributes.size(), 1u);
  EXPECT_EQ(e.attributes[0].first, "gen_ai.response.model");
}

TEST(OtlpSpanMapperTest, TheFirstOfDuplicateKeysIsMappedAndLaterOnesKept) {
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span = BaseSpan();
  span.attributes = {Int("gen_ai.usage.input_tokens", 5, "5"),
                     Int("gen_ai.usage.input_tokens", 6, "6")};
  Event e;
  OtlpFieldError error;
  ASSERT_TRUE(OtlpSpanMapper::Map(resource, scope, span, &e, &error));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kInputTokens), 5);
  ASSERT_EQ(e.attributes.size(), 1u);
  EXPECT_EQ(e.attributes[0].second, "6");
}

TEST(OtlpSpanMapperTest, ABadResourceRejectsTheSpanWithItsReason) {
  OtlpResourceFields resource;
  resource.error_field = "resource.attributes";
  resource.error_reason = "expected an array";
  OtlpScopeFields scope;
  Event e;
  OtlpFieldError error;
  EXPECT_FALSE(OtlpSpanMapper::Map(resource, scope, BaseSpan(), &e, &error));
  EXPECT_EQ(error.field, "resource.attributes");
  EXPECT_EQ(error.reason, "expected an array");
}

TEST(OtlpSpanMapperTest, TimeToFirstTokenSecondsBecomeMilliseconds) {
  OtlpResourceFields resource;
  OtlpScopeFields scope;
  OtlpSpanFields span = BaseSpan();
  OtlpKeyValue ttft;
  ttft.key = "gen_ai.server.time_to_first_token";
  ttft.value.kind = OtlpValueKind::kDouble;
  ttft.value.double_value = 0.0425;
  ttft.value.json = "0.0425";
  span.attributes = {ttft};
  Event e;
  OtlpFieldError error;
  ASSERT_TRUE(OtlpSpanMapper::Map(resource, scope, span, &e, &error));
  EXPECT_DOUBLE_EQ(e.Get(EventField::kTtftMs), 42.5);
  EXPECT_TRUE(e.attributes.empty());
}

}  // namespace
}  // namespace inferscope
