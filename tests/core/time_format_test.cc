#include "core/time_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace inferscope {
namespace {

constexpr TimestampNs kNoon = 1714564800LL * kNanosPerSecond;  // 2024-05-01T12:00:00Z

TimestampNs Iso(std::string_view s) {
  Result<TimestampNs> r = ParseIso8601(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

std::string IsoError(std::string_view s) {
  Result<TimestampNs> r = ParseIso8601(s);
  EXPECT_FALSE(r.ok()) << s;
  return r.ok() ? "" : r.status().message();
}

TEST(TimeFormatTest, ParsesIso8601Variants) {
  EXPECT_EQ(Iso("2024-05-01T12:00:00Z"), kNoon);
  EXPECT_EQ(Iso("2024-05-01t12:00:00z"), kNoon);
  EXPECT_EQ(Iso("2024-05-01T12:00:00"), kNoon);
  EXPECT_EQ(Iso("2024-05-01 12:00:00"), kNoon);
  EXPECT_EQ(Iso("2024-05-01T12:00Z"), kNoon);
  EXPECT_EQ(Iso("2024-05-01T12:00:00.5Z"), kNoon + 500 * kNanosPerMilli);
  EXPECT_EQ(Iso("2024-05-01T12:00:00,25Z"), kNoon + 250 * kNanosPerMilli);
  EXPECT_EQ(Iso("2024-05-01T12:00:00.123456789Z"), kNoon + 123456789);
  EXPECT_EQ(Iso("2024-05-01T12:00:00.1234567891234Z"), kNoon + 123456789);
  EXPECT_EQ(Iso("2024-05-01T14:30:00+02:30"), kNoon);
  EXPECT_EQ(Iso("2024-05-01T07:00:00-0500"), kNoon);
  EXPECT_EQ(Iso("2024-05-01"), kNoon - 12 * kNanosPerHour);
  EXPECT_EQ(Iso("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Iso("1969-12-31T23:59:59Z"), -kNanosPerSecond);
}

TEST(TimeFormatTest, HandlesLeapDays) {
  EXPECT_EQ(Iso("2024-02-29T00:00:00Z"), 1709164800LL * kNanosPerSecond);
  EXPECT_EQ(Iso("2000-02-29"), 951782400LL * kNanosPerSecond);
  EXPECT_EQ(IsoError("2023-02-29"), "invalid timestamp '2023-02-29': day out of range");
  EXPECT_EQ(IsoError("1900-02-29"), "invalid timestamp '1900-02-29': day out of range");
  EXPECT_EQ(Iso("2024-03-01") - Iso("2024-02-28"), 2 * kNanosPerDay);
}

TEST(TimeFormatTest, RejectsBadDates) {
  EXPECT_EQ(IsoError("2024-13-01"), "invalid timestamp '2024-13-01': month out of range");
  EXPECT_EQ(IsoError("2024-00-10"), "invalid timestamp '2024-00-10': month out of range");
  EXPECT_EQ(IsoError("2024-04-31"), "invalid timestamp '2024-04-31': day out of range");
  EXPECT_EQ(IsoError("2024-05-01T24:00:00Z"),
            "invalid timestamp '2024-05-01T24:00:00Z': time out of range");
  EXPECT_EQ(IsoError("2024-05-01T12:60:00Z"),
            "invalid timestamp '2024-05-01T12:60:00Z': time out of range");
  EXPECT_EQ(IsoError("24-05-01"), "invalid timestamp '24-05-01': expected YYYY-MM-DD");
  EXPECT_EQ(IsoError(""), "invalid timestamp '': expected YYYY-MM-DD");
  EXPECT_EQ(IsoError("2024-05-01X12:00"), "invalid timestamp '2024-05-01X12:00': expected 'T'");
  EXPECT_EQ(IsoError("2024-05-01T12:00:00.Z"),
            "invalid timestamp '2024-05-01T12:00:00.Z': empty fraction");
  EXPECT_EQ(IsoError("2024-05-01T12:00:00+5"),
            "invalid timestamp '2024-05-01T12:00:00+5': bad UTC offset");
  EXPECT_EQ(IsoError("2024-05-01T12:00:00Zjunk"),
            "invalid timestamp '2024-05-01T12:00:00Zjunk': trailing characters");
}

TEST(TimeFormatTest, RejectsYearsOutsideTheNanosecondRangeInsteadOfOverflowing) {
  EXPECT_FALSE(ParseIso8601("9999-12-31T23:59:59Z").ok());
  EXPECT_FALSE(ParseIso8601("0001-01-01").ok());
  EXPECT_TRUE(ParseIso8601("2261-12-31T23:59:59Z").ok());
  EXPECT_TRUE(ParseIso8601("1678-01-01").ok());
}

TEST(TimeFormatTest, FormatsAndRoundTrips) {
  EXPECT_EQ(FormatIso8601(kNoon), "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatIso8601(kNoon + 123456789, true), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601(-1, true), "1969-12-31T23:59:59.999Z");
  for (TimestampNs ts : {TimestampNs{0}, kNoon, TimestampNs{951782400LL * kNanosPerSecond},
                         TimestampNs{-86400LL * 400 * kNanosPerSecond},
                         TimestampNs{4102444800LL * kNanosPerSecond}}) {
    EXPECT_EQ(Iso(FormatIso8601(ts)), ts);
  }
  TimestampNs with_ms = kNoon + 42 * kNanosPerMilli;
  EXPECT_EQ(Iso(FormatIso8601(with_ms, true)), with_ms);
}

TEST(TimeFormatTest, GuessesEpochUnitsFromMagnitude) {
  EXPECT_EQ(*EpochNumberToNs(1714564800), kNoon);
  EXPECT_EQ(*EpochNumberToNs(1714564800.25), kNoon + 250 * kNanosPerMilli);
  EXPECT_EQ(*EpochNumberToNs(1714564800123.0), kNoon + 123 * kNanosPerMilli);
  EXPECT_EQ(*EpochNumberToNs(1714564800123456.0), kNoon + 123456 * kNanosPerMicro);
  EXPECT_EQ(*EpochNumberToNs(1.7145648e18), kNoon);
  EXPECT_EQ(*EpochNumberToNs(0), 0);
  EXPECT_EQ(*EpochNumberToNs(-1.5), -1500 * kNanosPerMilli);
  EXPECT_FALSE(EpochNumberToNs(std::nan("")).ok());
  EXPECT_FALSE(EpochNumberToNs(std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(EpochNumberToNs(9.3e18).ok());
  EXPECT_FALSE(EpochNumberToNs(9.9e10).ok());  // seconds past year 2262
}

TEST(TimeFormatTest, ParsesUserTimesAsIsoOrEpoch) {
  EXPECT_EQ(*ParseUserTime("2024-05-01T12:00:00Z"), kNoon);
  EXPECT_EQ(*ParseUserTime("1714564800"), kNoon);
  EXPECT_EQ(*ParseUserTime("1714564800000"), kNoon);
  EXPECT_FALSE(ParseUserTime("").ok());
  EXPECT_FALSE(ParseUserTime("yesterday").ok());
}

TEST(TimeFormatTest, ParsesDurations) {
  EXPECT_EQ(*ParseDuration("500ms"), 500 * kNanosPerMilli);
  EXPECT_EQ(*ParseDuration("30s"), 30 * kNanosPerSecond);
  EXPECT_EQ(*ParseDuration("30"), 30 * kNanosPerSecond);
  EXPECT_EQ(*ParseDuration("5m"), 5 * kNanosPerMinute);
  EXPECT_EQ(*ParseDuration("5min"), 5 * kNanosPerMinute);
  EXPECT_EQ(*ParseDuration("1.5h"), 90 * kNanosPerMinute);
  EXPECT_EQ(*ParseDuration("1d"), kNanosPerDay);
  EXPECT_EQ(*ParseDuration("2w"), 14 * kNanosPerDay);
  for (const char* bad : {"", "m", "5x", "-5m", "0s", "5 m", "nan", "1e30d"}) {
    Result<int64_t> r = ParseDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(TimeFormatTest, FormatsHumanDurations) {
  EXPECT_EQ(FormatDurationHuman(45 * kNanosPerSecond), "45 s");
  EXPECT_EQ(FormatDurationHuman(12 * kNanosPerMinute), "12 min");
  EXPECT_EQ(FormatDurationHuman(210 * kNanosPerMinute), "3.5 h");
  EXPECT_EQ(FormatDurationHuman(2 * kNanosPerDay), "2.0 d");
}

TEST(TimeFormatTest, CountsDaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace inferscope
