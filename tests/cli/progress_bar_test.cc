#include "cli/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace inferscope {
namespace {

std::string Drain(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
  return s;
}

TEST(ProgressBarTest, DrawsPercentageBytesAndRateAtMostTenTimesASecond) {
  std::FILE* f = std::tmpfile();
  ManualClock clock(0);
  {
    ProgressBar bar(f, /*enabled=*/true, clock);
    clock.Advance(kNanosPerSecond);
    bar.Update(500'000'000, 1'000'000'000);
    bar.Update(600'000'000, 1'000'000'000);  // within 100 ms: not drawn
    std::string first = Drain(f);
    EXPECT_NE(first.find(" 50%"), std::string::npos) << first;
    EXPECT_NE(first.find("500 MB / 1.0 GB"), std::string::npos) << first;
    EXPECT_NE(first.find("500 MB/s"), std::string::npos) << first;
    EXPECT_EQ(first.find("60%"), std::string::npos) << first;
    clock.Advance(200 * kNanosPerMilli);
    bar.Update(600'000'000, 1'000'000'000);
    EXPECT_NE(Drain(f).find(" 60%"), std::string::npos);
    bar.Finish();
    EXPECT_NE(Drain(f).find("\033[K"), std::string::npos) << "the bar is erased at the end";
  }
  std::fclose(f);
}

TEST(ProgressBarTest, UnknownTotalShowsBytesOnly) {
  std::FILE* f = std::tmpfile();
  ManualClock clock(0);
  ProgressBar bar(f, true, clock);
  clock.Advance(2 * kNanosPerSecond);
  bar.Update(3'000'000, 0);
  std::string s = Drain(f);
  EXPECT_NE(s.find("3 MB read"), std::string::npos) << s;
  EXPECT_EQ(s.find('%'), std::string::npos);
  bar.Finish();
  std::fclose(f);
}

TEST(ProgressBarTest, DisabledBarWritesNothing) {
  std::FILE* f = std::tmpfile();
  {
    ProgressBar bar(f, /*enabled=*/false);
    bar.Update(1, 2);
    bar.Finish();
  }
  EXPECT_TRUE(Drain(f).empty());
  std::fclose(f);
}

TEST(FormatDecimalBytesTest, UsesDecimalUnits) {
  EXPECT_EQ(FormatDecimalBytes(512), "512 B");
  EXPECT_EQ(FormatDecimalBytes(12'000), "12 kB");
  EXPECT_EQ(FormatDecimalBytes(640e6), "640 MB");
  EXPECT_EQ(FormatDecimalBytes(1.2e9), "1.2 GB");
}

}  // namespace
}  // namespace inferscope
