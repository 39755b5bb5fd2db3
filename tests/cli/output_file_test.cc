#include "cli/output_file.h"

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace inferscope {
namespace {

TEST(OutputFileTest, WritesTheWholeContent) {
  testing::TempDir d;
  ASSERT_TRUE(WriteOutput(d / "out.txt", "hello\nworld\n").ok());
  EXPECT_EQ(testing::ReadFile(d / "out.txt"), "hello\nworld\n");
}

TEST(OutputFileTest, AnUnwritablePathIsAnIoErrorNamingIt) {
  Status st = WriteOutput("/nonexistent/dir/out.txt", "x");
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("/nonexistent/dir/out.txt"), std::string::npos);
}

TEST(OutputFileTest, AFullDiskIsReported) {
  Status st = WriteOutput("/dev/full", std::string(1 << 16, 'x'));
  EXPECT_EQ(st.code(), StatusCode::kIoError) << st.ToString();
}

}  // namespace
}  // namespace inferscope
