#include "insight/number_format.h"

#include <gtest/gtest.h>

#include <limits>

#include "insight/analysis_report.h"

namespace inferscope {
namespace {

TEST(NumberFormatTest, CountsGetThousandsSeparators) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(18446744073709551615ULL), "18,446,744,073,709,551,615");
}

TEST(NumberFormatTest, NumbersRoundAndGroupTheIntegerPart) {
  EXPECT_EQ(FormatNumber(1234.567, 2), "1,234.57");
  EXPECT_EQ(FormatNumber(-1234567.0, 0), "-1,234,567");
  EXPECT_EQ(FormatNumber(0.5, 0), "0");  // round half to even, like printf
  EXPECT_EQ(FormatNumber(12.0, 1), "12.0");
}

TEST(NumberFormatTest, TinyNegativeValuesPrintWithoutMinusSign) {
  EXPECT_EQ(FormatNumber(-0.0001, 1), "0.0");
  EXPECT_EQ(FormatMs(-0.01), "0.0");
}

TEST(NumberFormatTest, AbsentValuesPrintAsDash) {
  EXPECT_EQ(FormatNumber(kAbsent, 2), "-");
  EXPECT_EQ(FormatMs(kAbsent), "-");
  EXPECT_EQ(FormatPercent(kAbsent), "-");
  EXPECT_EQ(FormatUsd(kAbsent), "-");
  EXPECT_EQ(FormatChangePercent(kAbsent), "-");
  EXPECT_EQ(FormatMetric("latency_p95_ms", kAbsent), "-");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity(), 1), "-");
}

TEST(NumberFormatTest, MillisecondsHaveOneDecimal) {
  EXPECT_EQ(FormatMs(1234.56), "1,234.6");
  EXPECT_EQ(FormatMs(0.04), "0.0");
}

TEST(NumberFormatTest, PercentTakesAFraction) {
  EXPECT_EQ(FormatPercent(0.1234), "12.3%");
  EXPECT_EQ(FormatPercent(1.0, 0), "100%");
  EXPECT_EQ(FormatPercent(0.0), "0.0%");
}

TEST(NumberFormatTest, ChangePercentIsSigned) {
  EXPECT_EQ(FormatChangePercent(12.34), "+12.3%");
  EXPECT_EQ(FormatChangePercent(-4.0), "-4.0%");
  EXPECT_EQ(FormatChangePercent(0.0), "0.0%");
  EXPECT_EQ(FormatChangePercent(0.01), "0.0%");
  EXPECT_EQ(FormatChangePercent(1234.5), "+1,234.5%");
}

TEST(NumberFormatTest, DollarsKeepTwoSignificantDigitsBelowOneCent) {
  EXPECT_EQ(FormatUsd(0), "$0.00");
  EXPECT_EQ(FormatUsd(12.3456), "$12.35");
  EXPECT_EQ(FormatUsd(1234567.891), "$1,234,567.89");
  EXPECT_EQ(FormatUsd(0.0042), "$0.0042");
  EXPECT_EQ(FormatUsd(0.000015), "$0.000015");
  EXPECT_EQ(FormatUsd(1e-12), "$0.00000000");
  EXPECT_EQ(FormatUsd(-1.5), "-$1.50");
}

TEST(NumberFormatTest, BytesUseBinaryUnits) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(1048576), "1.0 MiB");
  EXPECT_EQ(FormatBytes(18446744073709551615ULL), "16.0 EiB");
}

TEST(NumberFormatTest, MetricsFollowTheirNameConvention) {
  EXPECT_EQ(FormatMetric("latency_p95_ms", 2475), "2,475.0 ms");
  EXPECT_EQ(FormatMetric("error_rate", 0.2), "20.0%");
  EXPECT_EQ(FormatMetric("gpu_util", 97.5), "97.5%");
  EXPECT_EQ(FormatMetric("cost_usd", 3.5), "$3.50");
  EXPECT_EQ(FormatMetric("requests", 42), "42");
  EXPECT_EQ(FormatMetric("batch_size", 6.375), "6.38");  // ties round to even
}

TEST(NumberFormatTest, ExactFormatRoundTrips) {
  EXPECT_EQ(FormatExact(3.0), "3");
  EXPECT_EQ(FormatExact(-42.0), "-42");
  EXPECT_EQ(FormatExact(0.1), "0.1");
  EXPECT_EQ(FormatExact(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(std::stod(FormatExact(1e20)), 1e20);
  EXPECT_EQ(FormatExact(kAbsent), "");
}

}  // namespace
}  // namespace inferscope
