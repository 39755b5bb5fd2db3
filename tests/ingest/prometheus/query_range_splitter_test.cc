#include "ingest/prometheus/query_range_splitter.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(QueryRangeSplitterTest, KeepsARangeWithinTheLimitInOnePiece) {
  // 1 day at 1 minute = 1441 points.
  auto pieces = SplitQueryRange(0, kNanosPerDay, kNanosPerMinute, 11'000);
  ASSERT_TRUE(pieces.ok());
  EXPECT_EQ(*pieces, (std::vector<QueryRangePiece>{{0, kNanosPerDay}}));
}

TEST(QueryRangeSplitterTest, ExactlyMaxPointsIsOnePieceAndOneMoreIsTwo) {
  const int64_t step = kNanosPerSecond;
  auto exact = SplitQueryRange(1000 * step, 1000 * step + 10'999 * step, step, 11'000);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 1u);
  auto over = SplitQueryRange(1000 * step, 1000 * step + 11'000 * step, step, 11'000);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(*over, (std::vector<QueryRangePiece>{
                       {1000 * step, 1000 * step + 10'999 * step},
                       {1000 * step + 11'000 * step, 1000 * step + 11'000 * step}}));
}

TEST(QueryRangeSplitterTest, PiecesCoverEveryGridPointExactlyOnce) {
  // 3 hours at 500 ms: 21,601 points; pieces of 11,000.
  const TimestampNs start = 1'700'000'000 * kNanosPerSecond;
  const int64_t step = 500 * kNanosPerMilli;
  const TimestampNs end = start + 3 * kNanosPerHour + 123;  // not on the grid
  auto pieces = SplitQueryRange(start, end, step, 11'000);
  ASSERT_TRUE(pieces.ok());
  ASSERT_EQ(pieces->size(), 2u);
  int64_t points = 0;
  TimestampNs expected_next = start;
  for (const QueryRangePiece& p : *pieces) {
    EXPECT_EQ(p.start, expected_next);
    EXPECT_EQ((p.start - start) % step, 0);
    EXPECT_EQ((p.end - start) % step, 0);
    int64_t n = (p.end - p.start) / step + 1;
    EXPECT_LE(n, 11'000);
    points += n;
    expected_next = p.end + step;
  }
  EXPECT_EQ(points, 21'601);
  EXPECT_EQ(pieces->back().end, start + 3 * kNanosPerHour);
}

TEST(QueryRangeSplitterTest, ASinglePointRangeIsOnePiece) {
  auto pieces = SplitQueryRange(5, 5, 1, 1);
  ASSERT_TRUE(pieces.ok());
  EXPECT_EQ(*pieces, (std::vector<QueryRangePiece>{{5, 5}}));
}

TEST(QueryRangeSplitterTest, RejectsBadArguments) {
  EXPECT_EQ(SplitQueryRange(0, 10, 0, 100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitQueryRange(10, 0, 1, 100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitQueryRange(0, 10, 1, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(QueryRangeSplitterTest, RefusesAStepFarTooSmallForTheRange) {
  auto pieces = SplitQueryRange(0, 30 * kNanosPerDay, kNanosPerMilli, 11'000);
  ASSERT_FALSE(pieces.ok());
  EXPECT_EQ(pieces.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(pieces.status().message().find("use a larger step"), std::string::npos);
  auto extreme = SplitQueryRange(INT64_MIN, INT64_MAX, 1, 11'000);
  EXPECT_EQ(extreme.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace inferscope
