#include "ingest/field_mapping.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(FieldMappingTest, SplitsDottedPathsAndKeepsTheLatencyUnit) {
  Result<FieldMapping> m = FieldMapping::FromSpecs({"input_tokens=usage.prompt_tokens", "model=m"},
                                                   LatencyUnit::kMilliseconds);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->entries().size(), 2u);
  EXPECT_EQ(m->entries()[0].target, "input_tokens");
  EXPECT_EQ(m->entries()[0].path, (std::vector<std::string>{"usage", "prompt_tokens"}));
  EXPECT_EQ(m->entries()[1].path, (std::vector<std::string>{"m"}));
  EXPECT_EQ(m->latency_unit(), LatencyUnit::kMilliseconds);
}

TEST(FieldMappingTest, DefaultsToSecondsForTheLatencyAlias) {
  EXPECT_EQ(FieldMapping().latency_unit(), LatencyUnit::kSeconds);
  EXPECT_EQ(FieldMapping::FromSpecs({})->latency_unit(), LatencyUnit::kSeconds);
}

TEST(FieldMappingTest, RejectsUnknownTargetsListingTheValidOnes) {
  Result<FieldMapping> m = FieldMapping::FromSpecs({"tokens=usage.total"});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("unknown target 'tokens'"), std::string::npos);
  EXPECT_NE(m.status().message().find("input_tokens"), std::string::npos);
}

TEST(FieldMappingTest, RejectsMalformedSpecs) {
  EXPECT_FALSE(FieldMapping::FromSpecs({"model"}).ok());
  EXPECT_FALSE(FieldMapping::FromSpecs({"model="}).ok());
  EXPECT_FALSE(FieldMapping::FromSpecs({"model=a..b"}).ok());
  EXPECT_FALSE(FieldMapping::FromSpecs({"model=a.b."}).ok());
  EXPECT_FALSE(FieldMapping::FromSpecs({"model=a", "model=b"}).ok());
  // One source value feeds one target.
  EXPECT_FALSE(FieldMapping::FromSpecs({"model=a", "user=a"}).ok());
  EXPECT_FALSE(FieldMapping::FromSpecs({"model=a", "user=a.b"}).ok());
}

TEST(FieldMappingTest, KnowsEveryTargetOnce) {
  const auto& t = FieldMapping::KnownTargets();
  EXPECT_EQ(t.size(), 23u);
  for (const char* name : {"timestamp", "model", "latency_ms", "quality_score", "parent_span_id"}) {
    EXPECT_NE(std::find(t.begin(), t.end(), name), t.end()) << name;
  }
}

}  // namespace
}  // namespace inferscope
