#include "insight/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/time_format.h"

namespace inferscope {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// True when every tag opened in `xml` is closed in order (self-closing tags count as both).
bool TagsBalanced(const std::string& xml) {
  std::vector<std::string> stack;
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string::npos) {
    const size_t end = xml.find('>', pos);
    if (end == std::string::npos) return false;
    std::string tag = xml.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty() || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;
    stack.push_back(tag.substr(0, tag.find_first_of(" \n")));
  }
  return stack.empty();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

bool IsOneTwoFive(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
  return std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 ||
         std::fabs(mantissa - 5) < 1e-9;
}

TEST(SvgChartTest, NiceTicksUseOneTwoFiveStepsAndCoverTheRange) {
  const std::vector<std::pair<double, double>> ranges = {
      {0, 1}, {0, 97}, {3.2, 4.1}, {0, 1234567}, {-0.37, 0.81}, {0.0001, 0.00042}, {12, 12.5}};
  for (const auto& [lo, hi] : ranges) {
    const AxisTicks t = NiceTicks(lo, hi, 5);
    SCOPED_TRACE(testing::Message() << lo << ".." << hi);
    EXPECT_TRUE(IsOneTwoFive(t.step)) << t.step;
    EXPECT_LE(t.lo, lo);
    EXPECT_GE(t.hi, hi);
    ASSERT_GE(t.values.size(), 2u);
    EXPECT_LE(t.values.size(), 12u);
    for (double v : t.values) {
      EXPECT_NEAR(v / t.step, std::round(v / t.step), 1e-6) << v;
    }
  }
}

TEST(SvgChartTest, NiceTicksWidenEqualAndNonFiniteRanges) {
  const AxisTicks zero = NiceTicks(0, 0);
  EXPECT_EQ(zero.lo, 0);
  EXPECT_EQ(zero.hi, 1);
  const AxisTicks five = NiceTicks(5, 5);
  EXPECT_LT(five.lo, 5);
  EXPECT_GT(five.hi, 5);
  EXPECT_GT(five.step, 0);
  const AxisTicks nan = NiceTicks(kNan, 3);
  EXPECT_EQ(nan.lo, 0);
  EXPECT_EQ(nan.hi, 1);
}

TEST(SvgChartTest, TimeTicksShowClockTimesWithinADay) {
  const TimestampNs start = DaysFromCivil(2024, 5, 1) * kNanosPerDay + 12 * kNanosPerHour;
  const auto ticks =
      TimeTicks(static_cast<double>(start), static_cast<double>(start + kNanosPerHour), 6);
  ASSERT_GE(ticks.size(), 3u);
  EXPECT_EQ(ticks.front().label, "12:00");
  EXPECT_EQ(ticks.back().label, "13:00");
  const double step = ticks[1].ns - ticks[0].ns;
  EXPECT_EQ(std::fmod(step, static_cast<double>(kNanosPerMinute)), 0);
}

TEST(SvgChartTest, TimeTicksShowDatesAcrossDaysAndSecondsWithinAMinute) {
  const TimestampNs day = DaysFromCivil(2024, 5, 1) * kNanosPerDay;
  const auto days =
      TimeTicks(static_cast<double>(day), static_cast<double>(day + 10 * kNanosPerDay));
  ASSERT_FALSE(days.empty());
  EXPECT_EQ(days.front().label, "2024-05-01");
  const auto hours =
      TimeTicks(static_cast<double>(day), static_cast<double>(day + 2 * kNanosPerDay));
  EXPECT_EQ(hours.front().label, "05-01 00:00");
  const auto seconds = TimeTicks(static_cast<double>(day + 5 * kNanosPerSecond),
                                 static_cast<double>(day + 35 * kNanosPerSecond));
  ASSERT_FALSE(seconds.empty());
  EXPECT_EQ(seconds.front().label, "00:00:05");
}

TEST(SvgChartTest, DownsampleKeepsExtremesWithinTheLimit) {
  std::vector<XY> points;
  for (int i = 0; i < 10000; ++i) points.push_back({static_cast<double>(i), std::sin(i * 0.01)});
  points[4321].y = 50;
  points[777].y = -50;
  const std::vector<XY> out = DownsampleMinMax(points, 1500);
  EXPECT_LE(out.size(), 1500u);
  EXPECT_GT(out.size(), 1000u);
  double lo = 0, hi = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    lo = std::min(lo, out[i].y);
    hi = std::max(hi, out[i].y);
    if (i > 0) {
      EXPECT_LT(out[i - 1].x, out[i].x);
    }
  }
  EXPECT_EQ(lo, -50);
  EXPECT_EQ(hi, 50);
  EXPECT_EQ(DownsampleMinMax(std::vector<XY>(10, XY{1, 2}), 1500).size(), 10u);
}

TEST(SvgChartTest, DownsampleKeepsGaps) {
  std::vector<XY> points;
  for (int i = 0; i < 5000; ++i) {
    points.push_back({static_cast<double>(i), i >= 2000 && i < 2100 ? kNan : 1.0});
  }
  const std::vector<XY> out = DownsampleMinMax(points, 500);
  size_t gaps = 0;
  for (const XY& p : out) gaps += std::isnan(p.y) ? 1 : 0;
  EXPECT_GT(gaps, 0u);
}

TEST(SvgChartTest, FormatsValuesByKind) {
  EXPECT_EQ(FormatValue(1234.56, ValueFormat::kMilliseconds), "1,234.6 ms");
  EXPECT_EQ(FormatValue(0.0123, ValueFormat::kPercent), "1.23%");
  EXPECT_EQ(FormatValue(0.25, ValueFormat::kPercent), "25.0%");
  EXPECT_EQ(FormatValue(0, ValueFormat::kPercent), "0%");
  EXPECT_EQ(FormatValue(1234.5, ValueFormat::kUsd), "$1,234.50");
  EXPECT_EQ(FormatValue(0.004567, ValueFormat::kUsd), "$0.004567");
  EXPECT_EQ(FormatValue(0.1, ValueFormat::kUsd), "$0.10");
  EXPECT_EQ(FormatValue(0, ValueFormat::kUsd), "$0.00");
  EXPECT_EQ(FormatValue(1234567, ValueFormat::kCount), "1,234,567");
  EXPECT_EQ(FormatValue(12.345, ValueFormat::kNumber), "12.3");
  EXPECT_EQ(FormatValue(kNan, ValueFormat::kMilliseconds), "\xE2\x80\x93");
  EXPECT_EQ(FormatValue(INFINITY, ValueFormat::kUsd), "\xE2\x80\x93");
  EXPECT_EQ(FormatThousands(1000), "1,000");
  EXPECT_EQ(FormatThousands(999), "999");
}

TEST(SvgChartTest, EscapesMarkupCharacters) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(SvgChartTest, EmptyChartSaysNoData) {
  SvgChart chart({});
  const std::string svg = chart.Render();
  EXPECT_NE(svg.find("No data"), std::string::npos);
  EXPECT_TRUE(TagsBalanced(svg));

  SvgChart all_nan({});
  all_nan.AddLine("p50", {{1, kNan}, {2, kNan}});
  EXPECT_NE(all_nan.Render().find("No data"), std::string::npos);
}

TEST(SvgChartTest, NanBreaksTheLineAndIsolatedPointsBecomeDots) {
  SvgChart chart({});
  chart.AddLine("s", {{0, 1}, {1, 2}, {2, kNan}, {3, 3}, {4, 4}, {5, kNan}, {6, 5}});
  const std::string svg = chart.Render();
  const size_t d = svg.find(" d=\"");
  ASSERT_NE(d, std::string::npos);
  const std::string path = svg.substr(d, svg.find('"', d + 4) - d);
  EXPECT_EQ(CountOf(path, "M"), 3u);
  EXPECT_EQ(CountOf(path, "L"), 2u);
  EXPECT_EQ(CountOf(svg, "<circle"), 1u);
  EXPECT_TRUE(TagsBalanced(svg));
}

TEST(SvgChartTest, SinglePointAndEqualValuesRenderFiniteCoordinates) {
  for (bool time_axis : {false, true}) {
    SvgChart::Options o;
    o.time_axis = time_axis;
    o.y_from_zero = false;
    SvgChart single(o);
    single.AddLine("one", {{1.7e18, 42}});
    SvgChart flat(o);
    flat.AddLine("flat", {{1.7e18, 7}, {1.7e18 + 6e10, 7}, {1.7e18 + 12e10, 7}});
    for (const std::string& svg : {single.Render(), flat.Render()}) {
      EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
      EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
      EXPECT_EQ(svg.find("No data"), std::string::npos);
      EXPECT_TRUE(TagsBalanced(svg));
    }
  }
}

TEST(SvgChartTest, LinesAreDownsampledToTheConfiguredLimit) {
  std::vector<XY> points;
  for (int i = 0; i < 10000; ++i) points.push_back({static_cast<double>(i), i % 97 * 1.0});
  SvgChart chart({});
  chart.AddLine("big", points);
  const std::string svg = chart.Render();
  EXPECT_LE(CountOf(svg, "L"), 1500u);
  EXPECT_LT(svg.size(), 40'000u);
}

TEST(SvgChartTest, ColumnsMarkersAndLegendAreDrawnAndEscaped) {
  SvgChart::Options o;
  o.time_axis = true;
  SvgChart chart(o);
  chart.AddColumns("req<s>", {{0, 3}, {6e10, 5}}, 6e10);
  chart.AddMarkers("bad", {{6e10, 4, "id=\"<x>\""}}, "#ff0000", SvgChart::MarkerShape::kDiamond);
  const std::string svg = chart.Render();
  EXPECT_EQ(CountOf(svg, "<rect"), 2u + 1u);  // two columns + the legend swatch
  EXPECT_NE(svg.find("req&lt;s&gt;"), std::string::npos);
  EXPECT_NE(svg.find("id=&quot;&lt;x&gt;&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<x>"), std::string::npos);
  EXPECT_TRUE(TagsBalanced(svg));
}

TEST(SvgChartTest, BarsShowDashForAbsentValues) {
  SvgChart::Options o;
  o.y_format = ValueFormat::kMilliseconds;
  SvgChart chart(o);
  chart.SetBars({{"a", 120.5}, {"b", kNan}, {"c", 0}});
  const std::string svg = chart.Render();
  EXPECT_NE(svg.find("120.5 ms"), std::string::npos);
  EXPECT_NE(svg.find("\xE2\x80\x93"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_TRUE(TagsBalanced(svg));
}

TEST(SvgChartTest, HeatmapPrintsCoefficientsAndGreysOutNan) {
  SvgChart chart({});
  chart.SetHeatmap({"x", "y"}, {1, -0.5, -0.5, kNan});
  const std::string svg = chart.Render();
  EXPECT_NE(svg.find(">1.00<"), std::string::npos);
  EXPECT_NE(svg.find(">\xE2\x88\x92"
                     "0.50<"),
            std::string::npos);
  EXPECT_NE(svg.find("#cccccc"), std::string::npos);
  EXPECT_NE(svg.find("#b2182b"), std::string::npos);  // +1 is full red
  EXPECT_TRUE(TagsBalanced(svg));
}

}  // namespace
}  // namespace inferscope
