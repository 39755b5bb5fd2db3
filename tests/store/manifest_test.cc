#include "store/manifest.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace inferscope {
namespace {

Manifest Sample() {
  Manifest m;
  m.flushed_seq = 99;
  m.next_segment_id = 3;
  m.segments = {{1, 3600, 3601, 3700, 10, 1234}, {2, 7200, 7200, 7300, 5, 999}};
  return m;
}

TEST(ManifestTest, RoundTripsThroughTheDirectory) {
  testing::TempDir dir;
  auto empty = ReadManifest(dir.path());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, Manifest{});
  ASSERT_TRUE(WriteManifest(dir.path(), Sample()).ok());
  auto back = ReadManifest(dir.path());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Sample());
}

TEST(ManifestTest, AnyCorruptionIsDataLoss) {
  const std::string bytes = EncodeManifest(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_EQ(DecodeManifest(bad).status().code(), StatusCode::kDataLoss) << i;
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeManifest(std::string_view(bytes).substr(0, n)).ok()) << n;
  }
}

TEST(ManifestTest, SegmentFileNamesSortByIdOrder) {
  EXPECT_EQ(SegmentFileName(1), "seg-0000000000000001.isg");
  EXPECT_LT(SegmentFileName(9), SegmentFileName(10));
}

}  // namespace
}  // namespace inferscope
