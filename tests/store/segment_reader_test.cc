#include "store/segment_reader.h"

#include <gtest/gtest.h>

#include "store/segment_writer.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;

std::string SmallSegment() {
  std::vector<StoredEvent> events;
  for (int i = 0; i < 50; ++i) {
    events.push_back(MakeStoredEvent(3600 * kNanosPerSecond + i, "m" + std::to_string(i % 3), i));
    events.back().id = static_cast<uint64_t>(i + 1);
  }
  std::vector<const StoredEvent*> ptrs;
  RollupTable minutes;
  for (const auto& e : events) {
    ptrs.push_back(&e);
    minutes.Add(e);
  }
  RollupTable hours(kNanosPerHour);
  hours.MergeFrom(minutes);
  SegmentInfo info;
  info.partition_start_ns = 3600 * kNanosPerSecond;
  return BuildSegment(info, ptrs, minutes, hours);
}

// Reads everything a reader can; returns the first error.
Status ReadAll(std::string_view bytes) {
  auto r = SegmentReader::OpenBytes(bytes, {});
  if (!r.ok()) return r.status();
  std::vector<StoredEvent> events;
  INFERSCOPE_RETURN_IF_ERROR((*r)->ReadEvents(&events));
  RollupTable minutes;
  INFERSCOPE_RETURN_IF_ERROR((*r)->ReadMinuteRollups(&minutes));
  RollupTable hours(kNanosPerHour);
  return (*r)->ReadHourRollups(&hours);
}

TEST(SegmentReaderTest, EveryTruncationIsDetected) {
  const std::string bytes = SmallSegment();
  ASSERT_TRUE(ReadAll(bytes).ok());
  for (size_t n = 0; n < bytes.size(); n += 7) {
    EXPECT_EQ(ReadAll(std::string_view(bytes).substr(0, n)).code(), StatusCode::kDataLoss) << n;
  }
}

TEST(SegmentReaderTest, EveryFlippedByteIsDetected) {
  const std::string bytes = SmallSegment();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x40;
    EXPECT_EQ(ReadAll(bad).code(), StatusCode::kDataLoss) << i;
  }
}

TEST(SegmentReaderTest, ColumnsOverTheSizeLimitAreRefusedAtOpen) {
  const std::string bytes = SmallSegment();
  SegmentReader::Options options;
  options.max_column_bytes = 16;
  EXPECT_EQ(SegmentReader::OpenBytes(bytes, options).status().code(), StatusCode::kDataLoss);
}

TEST(SegmentReaderTest, AMissingFileIsNotFound) {
  EXPECT_EQ(SegmentReader::OpenFile("/nonexistent/seg.isg").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace inferscope
