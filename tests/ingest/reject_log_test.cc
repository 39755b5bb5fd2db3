#include "ingest/reject_log.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(RejectLogTest, CountsEveryRejectButKeepsOnlyTheFirst) {
  RejectLog log(2);
  log.Add("a.jsonl", 1, "one");
  log.Add("a.jsonl", 5, "two");
  log.Add("a.jsonl", 9, "three");
  EXPECT_EQ(log.total(), 3u);
  ASSERT_EQ(log.first().size(), 2u);
  EXPECT_EQ(log.first()[1].line, 5u);
  EXPECT_EQ(log.first()[1].reason, "two");
  EXPECT_EQ(log.first()[1].source, "a.jsonl");
}

TEST(RejectLogTest, MergesCountsAllAndKeepsWhileRoomIsLeft) {
  RejectLog a(3), b(10);
  a.Add("a", 1, "x");
  b.Add("b", 1, "y");
  b.Add("b", 2, "z");
  b.Add("b", 3, "w");
  a.Merge(b);
  EXPECT_EQ(a.total(), 4u);
  ASSERT_EQ(a.first().size(), 3u);
  EXPECT_EQ(a.first()[2].reason, "z");
}

}  // namespace
}  // namespace inferscope
