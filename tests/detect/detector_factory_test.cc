#include "detect/detector_factory.h"

#include <gtest/gtest.h>

#include <string>

namespace inferscope {
namespace {

TEST(DetectorFactoryTest, BuildsEveryNamedDetectorWithDefaults) {
  for (std::string_view name : DetectorNames()) {
    Result<std::unique_ptr<SeriesDetector>> d = MakeDetector(name, {});
    ASSERT_TRUE(d.ok()) << name << ": " << d.status().ToString();
    EXPECT_EQ((*d)->name(), name);
    EXPECT_EQ((*d)->CloneEmpty()->name(), name);
  }
}

TEST(DetectorFactoryTest, ParsesASpecLine) {
  Result<std::unique_ptr<SeriesDetector>> d =
      ParseDetectorSpec("robust_z window=64 threshold=3.5 direction=above min_abs_deviation=2");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->name(), "robust_z");
  ASSERT_TRUE(ParseDetectorSpec("seasonal bin=1h periods=1d,1w history_bins=336").ok());
}

TEST(DetectorFactoryTest, RejectsUnknownNamesKeysAndBadValues) {
  EXPECT_NE(ParseDetectorSpec("nope").status().message().find("unknown detector"),
            std::string::npos);
  EXPECT_NE(ParseDetectorSpec("zscore windw=3").status().message().find("windw"),
            std::string::npos);
  EXPECT_FALSE(ParseDetectorSpec("zscore window=abc").ok());
  EXPECT_FALSE(ParseDetectorSpec("zscore direction=sideways").ok());
  EXPECT_FALSE(ParseDetectorSpec("zscore threshold=-1").ok());
  EXPECT_FALSE(ParseDetectorSpec("zscore threshold").ok());
  EXPECT_FALSE(ParseDetectorSpec("seasonal periods=90m").ok());
  EXPECT_FALSE(ParseDetectorSpec("").ok());
}

TEST(DetectorFactoryTest, ParsesDurations) {
  EXPECT_EQ(*ParseDurationNs("250ms"), 250 * kNanosPerMilli);
  EXPECT_EQ(*ParseDurationNs("30"), 30 * kNanosPerSecond);
  EXPECT_EQ(*ParseDurationNs("5m"), 5 * kNanosPerMinute);
  EXPECT_EQ(*ParseDurationNs("1.5h"), 90 * kNanosPerMinute);
  EXPECT_EQ(*ParseDurationNs("1w"), 7 * kNanosPerDay);
  EXPECT_FALSE(ParseDurationNs("5 parsecs").ok());
  EXPECT_FALSE(ParseDurationNs("-1h").ok());
  EXPECT_FALSE(ParseDurationNs("h").ok());
}

}  // namespace
}  // namespace inferscope
