#include "ingest/event_batch.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

TEST(EventBatchTest, KeepsStringsAfterTheSourceBufferIsGone) {
  EventBatch batch;
  {
    std::string model = "llama-3-70b-instruct-with-a-long-name";
    std::string user = "u-42";
    std::string key = "region";
    std::string value = "\"eu-west-1\"";
    Event e;
    e.model = model;
    e.user = user;
    e.attributes = {{key, value}};
    e.Set(EventField::kLatencyMs, 12.5);
    batch.OnEvent(e);
    model.assign(model.size(), 'x');  // the parser reuses its buffer
    user.assign(user.size(), 'x');
    value.assign(value.size(), 'x');
  }
  ASSERT_EQ(batch.size(), 1u);
  const Event& kept = batch.events()[0];
  EXPECT_EQ(kept.model, "llama-3-70b-instruct-with-a-long-name");
  EXPECT_EQ(kept.user, "u-42");
  ASSERT_EQ(kept.attributes.size(), 1u);
  EXPECT_EQ(kept.attributes[0].first, "region");
  EXPECT_EQ(kept.attributes[0].second, "\"eu-west-1\"");
  EXPECT_EQ(kept.Get(EventField::kLatencyMs), 12.5);
}

TEST(EventBatchTest, HandlesManyEventsAndStringsLargerThanABlock) {
  EventBatch batch;
  std::string huge(200 << 10, 'h');
  for (int i = 0; i < 5000; ++i) {
    std::string model = "model-" + std::to_string(i);
    Event e;
    e.model = model;
    if (i % 1000 == 0) e.request_id = huge;
    batch.OnEvent(e);
  }
  ASSERT_EQ(batch.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(batch.events()[i].model, "model-" + std::to_string(i));
    if (i % 1000 == 0) {
      ASSERT_EQ(batch.events()[i].request_id, huge);
    }
  }
  EXPECT_GE(batch.arena_bytes(), 5 * huge.size());
  batch.Clear();
  EXPECT_EQ(batch.size(), 0u);
  EXPECT_EQ(batch.arena_bytes(), 0u);
}

}  // namespace
}  // namespace inferscope
