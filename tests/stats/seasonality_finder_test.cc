#include "stats/seasonality_finder.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "byte_state_io.h"

namespace inferscope {
namespace {

constexpr std::array<uint32_t, 2> kDayWeek = {24, 168};

template <typename F>
SeasonalityFinder Feed(F f, int days, int64_t step = 10 * kNanosPerMinute) {
  SeasonalityFinder finder(kNanosPerHour, 336, kDayWeek, 0.3);
  std::mt19937_64 gen(5);
  std::normal_distribution<double> noise(0, 1);
  for (int64_t ts = 0; ts < days * kNanosPerDay; ts += step) finder.Add(ts, f(ts) + noise(gen));
  return finder;
}

TEST(SeasonalityFinderTest, FindsADailyCycle) {
  auto daily = [](int64_t ts) {
    return 50 + 20 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay);
  };
  const SeasonalityFinder f = Feed(daily, 5);
  EXPECT_EQ(f.period_bins(), 24u);
  EXPECT_GT(f.period_acf(), 0.8);
  EXPECT_NEAR(f.PhaseMean(6, 24), 70, 1.5);  // 6:00-7:00 sits at the peak
  EXPECT_NEAR(f.points_per_bin(), 6, 1e-9);
}

TEST(SeasonalityFinderTest, NeedsTwoPeriodsOfHistory) {
  auto daily = [](int64_t ts) {
    return 50 + 20 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay);
  };
  EXPECT_EQ(Feed(daily, 1).period_bins(), 0u);
}

TEST(SeasonalityFinderTest, FindsAWeeklyPattern) {
  // Weekends (days 5 and 6 of each week) at half the level, no daily cycle.
  auto weekly = [](int64_t ts) { return (ts / kNanosPerDay) % 7 >= 5 ? 20.0 : 40.0; };
  EXPECT_EQ(Feed(weekly, 15).period_bins(), 168u);
}

TEST(SeasonalityFinderTest, NoiseAndTrendsHaveNoPeriod) {
  EXPECT_EQ(Feed([](int64_t) { return 10.0; }, 15).period_bins(), 0u);
  auto trend = [](int64_t ts) { return static_cast<double>(ts) / kNanosPerHour; };
  EXPECT_EQ(Feed(trend, 15).period_bins(), 0u);
}

TEST(SeasonalityFinderTest, SaveLoadRoundTripsAndRejectsTruncation) {
  auto daily = [](int64_t ts) {
    return 50 + 20 * std::sin(2 * M_PI * static_cast<double>(ts) / kNanosPerDay);
  };
  const SeasonalityFinder f = Feed(daily, 3);
  ByteWriter out;
  f.Save(out);
  SeasonalityFinder back(kNanosPerHour, 336, kDayWeek, 0.3);
  ByteReader in(out.bytes);
  ASSERT_TRUE(back.Load(in).ok());
  EXPECT_EQ(back.period_bins(), f.period_bins());
  EXPECT_EQ(back.PhaseMean(3, 24), f.PhaseMean(3, 24));
  for (size_t cut = 0; cut < out.bytes.size(); cut += 7) {
    SeasonalityFinder t(kNanosPerHour, 336, kDayWeek, 0.3);
    ByteReader r(out.bytes, cut);
    EXPECT_FALSE(t.Load(r).ok()) << cut;
  }
}

}  // namespace
}  // namespace inferscope
