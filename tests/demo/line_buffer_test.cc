#include "demo/line_buffer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace inferscope {
namespace {

TEST(LineBufferTest, FormatsNumbersLikeTheLogFormat) {
  LineBuffer buf(nullptr, 256);
  buf.AppendFixed(412.54, 1);
  buf.Append(' ');
  buf.AppendFixed(0.000183, 6);
  buf.Append(' ');
  buf.AppendFixed(3.0, 1);
  buf.Append(' ');
  buf.AppendFixed(-2.25, 1);
  buf.Append(' ');
  buf.AppendFixedTrimmed(0.5, 3);
  buf.Append(' ');
  buf.AppendFixedTrimmed(1.0, 3);
  buf.Append(' ');
  buf.AppendFixedTrimmed(0.15625, 3);
  buf.Append(' ');
  buf.AppendInt(-17);
  buf.Append(' ');
  buf.AppendUint(0);
  buf.Append(' ');
  buf.AppendUintPadded(7, 3);
  buf.Append(' ');
  buf.AppendHex(0x1a2b, 12);
  EXPECT_EQ(buf.view(), "412.5 0.000183 3.0 -2.3 0.5 1 0.156 -17 0 007 000000001a2b");
}

TEST(LineBufferTest, FlushWritesAndEmpties) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  LineBuffer buf(f, 64);
  buf.Append("hello\n");
  EXPECT_TRUE(buf.FlushIfFuller(10).ok());
  EXPECT_EQ(buf.size(), 6u);  // 58 bytes still free
  EXPECT_TRUE(buf.FlushIfFuller(60).ok());
  EXPECT_EQ(buf.size(), 0u);
  std::rewind(f);
  char text[16] = {};
  EXPECT_EQ(std::fread(text, 1, sizeof(text), f), 6u);
  EXPECT_EQ(std::string(text), "hello\n");
  std::fclose(f);
}

}  // namespace
}  // namespace inferscope
