#include "demo/model_profile.h"

#include <gtest/gtest.h>

#include <numeric>

namespace inferscope {
namespace {

TEST(ModelProfileTest, BuiltinFleetHasFiveDistinctModels) {
  const auto& models = BuiltinModelProfiles();
  ASSERT_EQ(models.size(), 5u);
  EXPECT_EQ(models[0].name, "llama-3-8b");
  EXPECT_EQ(models[1].name, "llama-3-70b");
  EXPECT_EQ(models[2].name, "mistral-7b");
  EXPECT_EQ(models[3].name, "gpt-4o-mini");
  EXPECT_FALSE(models[3].self_hosted);
  EXPECT_EQ(models[4].name, "bge-embed");
  EXPECT_FALSE(models[4].produces_output());
  // The big model is slower and dearer than the small one.
  EXPECT_GT(models[1].decode_ms_per_token, 2 * models[0].decode_ms_per_token);
  EXPECT_GT(models[1].output_price_per_m, 5 * models[0].output_price_per_m);
}

TEST(ModelProfileTest, TaskMixesSumToOne) {
  for (const ModelProfile& m : BuiltinModelProfiles()) {
    EXPECT_NEAR(std::accumulate(m.task_mix.begin(), m.task_mix.end(), 0.0), 1.0, 1e-9) << m.name;
  }
}

TEST(ModelProfileTest, EmptyListMeansBuiltinFleet) {
  auto models = ModelProfilesFor({});
  ASSERT_TRUE(models.ok());
  EXPECT_EQ(models->size(), BuiltinModelProfiles().size());
}

TEST(ModelProfileTest, GuessesProfilesFromNames) {
  auto models = ModelProfilesFor(
      {"llama-3-8b", "qwen2-72b-instruct", "my-embedder", "claude-3-haiku", "tiny-1.5b"});
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  const auto& m = *models;
  EXPECT_EQ(m[0].decode_ms_per_token, BuiltinModelProfiles()[0].decode_ms_per_token);
  EXPECT_EQ(m[1].name, "qwen2-72b-instruct");
  EXPECT_GT(m[1].decode_ms_per_token, 20);
  EXPECT_EQ(m[1].max_batch, 16);
  EXPECT_FALSE(m[2].produces_output());
  EXPECT_FALSE(m[3].self_hosted);
  EXPECT_LT(m[4].decode_ms_per_token, m[1].decode_ms_per_token);
  for (const ModelProfile& p : m) EXPECT_EQ(p.traffic_share, 1.0);
}

TEST(ModelProfileTest, RejectsUnsafeOrDuplicateNames) {
  EXPECT_FALSE(ModelProfilesFor({"bad\"name"}).ok());
  EXPECT_FALSE(ModelProfilesFor({""}).ok());
  EXPECT_FALSE(ModelProfilesFor({"a", "a"}).ok());
  EXPECT_TRUE(ModelProfilesFor({"org/model:v1.2_x"}).ok());
}

TEST(ModelProfileTest, TaskNamesMatchLogFormat) {
  EXPECT_EQ(TaskTypeName(TaskType::kChat), "chat");
  EXPECT_EQ(TaskTypeName(TaskType::kCompletion), "completion");
  EXPECT_EQ(TaskTypeName(TaskType::kEmbedding), "embedding");
  EXPECT_EQ(TaskTypeName(TaskType::kSummarize), "summarize");
}

}  // namespace
}  // namespace inferscope
