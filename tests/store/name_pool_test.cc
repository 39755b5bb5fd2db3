#include "store/name_pool.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(NamePoolTest, InternsEachNameOnceAndKeepsItWhileReferenced) {
  NamePool pool;
  const uint32_t a = pool.Intern("alice");
  const uint32_t b = pool.Intern("bob");
  EXPECT_NE(a, b);
  EXPECT_EQ(pool.Intern("alice"), a);  // second reference
  EXPECT_EQ(pool.Name(a), "alice");
  EXPECT_EQ(pool.Find("bob"), b);
  EXPECT_EQ(pool.Find("carol"), NamePool::kNotFound);
  EXPECT_EQ(pool.live(), 2u);
  const uint64_t generation = pool.generation();
  pool.Release(a);
  EXPECT_EQ(pool.Find("alice"), a);  // one reference left
  EXPECT_EQ(pool.generation(), generation);
  pool.Release(a);
  EXPECT_NE(pool.generation(), generation);
  EXPECT_EQ(pool.Find("alice"), NamePool::kNotFound);
  EXPECT_EQ(pool.live(), 1u);
  // The freed id is reused for the next new name; ids stay below id_limit().
  const uint32_t c = pool.Intern("carol");
  EXPECT_EQ(c, a);
  EXPECT_EQ(pool.Name(c), "carol");
  EXPECT_EQ(pool.id_limit(), 2u);
  EXPECT_EQ(pool.Intern(""), 2u);  // the empty name is a name like any other
  EXPECT_EQ(pool.Name(2), "");
  EXPECT_GT(pool.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace inferscope
