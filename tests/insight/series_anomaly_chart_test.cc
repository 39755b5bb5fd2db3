#include "insight/series_anomaly_chart.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>

namespace inferscope {
namespace {

DetectedSeries Series(std::string instance, int spike_from) {
  DetectedSeries s;
  s.key = SeriesKey("m", {{"instance", std::move(instance)}});
  for (int i = 0; i < 100; ++i) {
    const bool bad = spike_from >= 0 && i >= spike_from;
    s.samples.push_back({i * kNanosPerMinute, bad ? 50.0 : 10.0});
    DetectorOutput o;
    o.learning = i < 10;
    o.score = bad ? 1.0 : 0.0;
    if (!o.learning) o.expected = 10, o.lower = 8, o.upper = 12;
    s.outputs.push_back(o);
  }
  return s;
}

Anomaly On(const DetectedSeries& s, Severity severity) {
  Anomaly a;
  a.metric = s.key.metric();
  a.labels = s.key.labels();
  a.severity = severity;
  a.state = AnomalyState::kFiring;
  a.start_ns = 90 * kNanosPerMinute;
  a.last_seen_ns = 99 * kNanosPerMinute;
  return a;
}

TEST(SeriesAnomalyChartTest, SeriesWithTheWorstAnomaliesComeFirst) {
  std::vector<DetectedSeries> s = {Series("a", -1), Series("b", 90), Series("c", 90)};
  std::vector<Anomaly> an = {On(s[1], Severity::kLow), On(s[2], Severity::kCritical)};
  EXPECT_EQ(PickChartSeries(s, an, 6), (std::vector<size_t>{2, 1, 0}));
  EXPECT_EQ(PickChartSeries(s, an, 1), (std::vector<size_t>{2}));
}

TEST(SeriesAnomalyChartTest, SvgHasOnePanelPerSeriesEscapedTitlesAndAnomalyMarkers) {
  std::vector<DetectedSeries> s = {Series("<a>", -1), Series("b", 90)};
  std::string svg = RenderSeriesAnomalySvg(s, {On(s[1], Severity::kHigh)});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("instance=&quot;&lt;a&gt;&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<a>"), std::string::npos);
  EXPECT_NE(svg.find("1970-01-01T01:30:00Z: 50 (expected 10)"), std::string::npos);
  EXPECT_NE(svg.find("#d62728"), std::string::npos);
}

TEST(SeriesAnomalyChartTest, PngDecodesToThePanelsWithRedAnomalyPoints) {
  std::vector<DetectedSeries> s = {Series("b", 90)};
  const std::string png = RenderSeriesAnomalyPng(s, {On(s[0], Severity::kHigh)});
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto u32 = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint32_t(uint8_t(png[at + 3]));
  };
  const uint32_t w = u32(16), h = u32(20);
  EXPECT_EQ(w, 900u);
  EXPECT_EQ(h, 220u);
  // IDAT follows IHDR (8 + 25 bytes): inflate it and look for the anomaly colour.
  const uint32_t idat_len = u32(33);
  ASSERT_EQ(png.substr(37, 4), "IDAT");
  std::string raw(size_t(h) * (w * 3 + 1), '\0');
  uLongf n = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &n,
                       reinterpret_cast<const Bytef*>(png.data() + 41), idat_len),
            Z_OK);
  ASSERT_EQ(n, raw.size());
  size_t red = 0, blue = 0;
  for (size_t y = 0; y < h; ++y) {
    for (size_t x = 0; x < w; ++x) {
      const auto* p = reinterpret_cast<const uint8_t*>(&raw[y * (w * 3 + 1) + 1 + x * 3]);
      if (p[0] == 0xd6 && p[1] == 0x27 && p[2] == 0x28) {
        ++red;
        EXPECT_GT(x, 800u);  // the anomaly is the last tenth of the range
      }
      if (p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4) ++blue;
    }
  }
  EXPECT_GT(red, 50u);
  EXPECT_GT(blue, 500u);
}

}  // namespace
}  // namespace inferscope
