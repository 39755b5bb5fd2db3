#include "ingest/otlp_text_arena.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inferscope {
namespace {

TEST(OtlpTextArenaTest, CopiesStayValidWhileTheArenaGrows) {
  OtlpTextArena arena;
  std::vector<std::string_view> views;
  std::vector<std::string> want;
  for (int i = 0; i < 2000; ++i) {
    want.push_back("value-" + std::to_string(i) + std::string(static_cast<size_t>(i % 50), 'x'));
    views.push_back(arena.Copy(want.back()));
  }
  std::string big(100000, 'b');
  std::string_view big_view = arena.Copy(big);
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], want[i]);
  EXPECT_EQ(big_view, big);
  arena.Reset();
  EXPECT_EQ(arena.used(), 0u);
  EXPECT_EQ(arena.Copy("again"), "again");
  EXPECT_TRUE(arena.Copy("").empty());
}

}  // namespace
}  // namespace inferscope
