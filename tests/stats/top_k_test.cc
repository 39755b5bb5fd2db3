#include "stats/top_k.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inferscope {
namespace {

std::vector<double> Scores(const TopK<std::string>& top) {
  std::vector<double> out;
  for (const auto& [s, item] : top.SortedDescending()) out.push_back(s);
  return out;
}

TEST(TopKTest, KeepsTheKLargestInDescendingOrder) {
  TopK<std::string> top(3);
  for (double s : {5.0, 1.0, 9.0, 3.0, 7.0, 2.0}) top.Push(s, "x" + std::to_string(s));
  EXPECT_EQ(top.size(), 3u);
  EXPECT_EQ(Scores(top), (std::vector<double>{9, 7, 5}));
  EXPECT_EQ(top.SortedDescending().front().second, "x" + std::to_string(9.0));
}

TEST(TopKTest, FewerItemsThanKAreAllKept) {
  TopK<int> top(10);
  top.Push(2, 20);
  top.Push(1, 10);
  const auto sorted = top.SortedDescending();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].second, 20);
  EXPECT_EQ(sorted[1].second, 10);
}

TEST(TopKTest, TiesKeepTheEarlierItem) {
  TopK<std::string> top(2);
  top.Push(5, "first");
  top.Push(5, "second");
  top.Push(5, "third");  // equal to the smallest kept: rejected
  const auto sorted = top.SortedDescending();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].second == "first" || sorted[1].second == "first", true);
  EXPECT_EQ(sorted[0].second == "second" || sorted[1].second == "second", true);
  EXPECT_FALSE(top.WouldAccept(5));
  EXPECT_TRUE(top.WouldAccept(5.5));
}

TEST(TopKTest, ZeroKAcceptsNothing) {
  TopK<int> top(0);
  EXPECT_FALSE(top.WouldAccept(1e300));
  top.Push(1, 1);
  EXPECT_EQ(top.size(), 0u);
  EXPECT_TRUE(top.SortedDescending().empty());
}

TEST(TopKTest, WouldAcceptMatchesPush) {
  TopK<int> top(2);
  EXPECT_TRUE(top.WouldAccept(-1e9));  // not full yet
  top.Push(10, 1);
  top.Push(20, 2);
  EXPECT_FALSE(top.WouldAccept(9));
  EXPECT_TRUE(top.WouldAccept(11));
  top.Push(9, 3);   // rejected
  top.Push(11, 4);  // evicts 10
  const auto sorted = top.SortedDescending();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].second, 2);
  EXPECT_EQ(sorted[1].second, 4);
}

TEST(TopKTest, MergeKeepsTheKLargestOverall) {
  TopK<int> a(3), b(3);
  for (int i : {1, 4, 6, 8}) a.Push(i, i);
  for (int i : {2, 7, 9}) b.Push(i, i);
  a.Merge(b);
  const auto sorted = a.SortedDescending();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].second, 9);
  EXPECT_EQ(sorted[1].second, 8);
  EXPECT_EQ(sorted[2].second, 7);

  TopK<int> empty(3);
  empty.Merge(a);
  EXPECT_EQ(empty.SortedDescending(), sorted);
}

TEST(TopKTest, TiedScoresKeepTheEarliestItemsWhateverTheHeapLayout) {
  // Many equal scores at the boundary: exactly the earliest ones are kept, listed in order.
  TopK<int> top(4);
  for (int i = 0; i < 20; ++i) top.Push(i % 3 == 0 ? 9.0 : 5.0, i);
  const auto sorted = top.SortedDescending();
  ASSERT_EQ(sorted.size(), 4u);
  // 9.0 at items 0, 3, 6, 9, ...; the four earliest of them.
  EXPECT_EQ(sorted[0].second, 0);
  EXPECT_EQ(sorted[1].second, 3);
  EXPECT_EQ(sorted[2].second, 6);
  EXPECT_EQ(sorted[3].second, 9);
}

TEST(TopKTest, MergeOfConsecutivePartsEqualsOnePassEvenWithTies) {
  // Scores from a small set, so ties straddle the k-th place; every split of the stream into
  // consecutive parts, merged in order with the earlier parts' counts as offsets, must keep
  // the same items in the same order as one TopK fed the whole stream.
  std::vector<double> scores;
  uint64_t x = 12345;
  for (int i = 0; i < 500; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    scores.push_back(static_cast<double>((x >> 33) % 7));
  }
  TopK<int> whole(25);
  for (size_t i = 0; i < scores.size(); ++i) whole.Push(scores[i], i, static_cast<int>(i));
  for (size_t parts : {2u, 3u, 7u}) {
    TopK<int> merged(25);
    size_t begin = 0;
    for (size_t p = 0; p < parts; ++p) {
      const size_t end = scores.size() * (p + 1) / parts;
      TopK<int> part(25);
      for (size_t i = begin; i < end; ++i) {
        part.Push(scores[i], i - begin, static_cast<int>(i));  // numbered within the part
      }
      merged.Merge(std::move(part), begin);
      begin = end;
    }
    EXPECT_EQ(merged.SortedDescending(), whole.SortedDescending()) << parts << " parts";
  }
}

TEST(TopKTest, MergeWithOffsetLetsEarlierItemsWinTies) {
  TopK<std::string> a(1), b(1);
  a.Push(5, "a-first");
  b.Push(5, "b-first");
  TopK<std::string> later = a;
  later.Merge(b, 1);  // b's items come after a's one item
  EXPECT_EQ(later.SortedDescending()[0].second, "a-first");
  b.Merge(a, 1);  // now a's item is the later one
  EXPECT_EQ(b.SortedDescending()[0].second, "b-first");
}

}  // namespace
}  // namespace inferscope
