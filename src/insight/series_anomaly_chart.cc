#include "insight/series_anomaly_chart.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/time_format.h"
#include "insight/series_anomaly_explainer.h"
#include "insight/svg_chart.h"

namespace inferscope {
namespace {

constexpr int kPanelHeight = 240;
constexpr int kTitleHeight = 22;
constexpr int kWidth = 900;

// The anomalies found on one series (matched by labels and metric).
std::vector<const Anomaly*> AnomaliesOf(const DetectedSeries& s,
                                        const std::vector<Anomaly>& anomalies) {
  std::vector<const Anomaly*> out;
  for (const Anomaly& a : anomalies) {
    if (a.labels == s.key.labels() && a.metric == s.key.metric()) out.push_back(&a);
  }
  return out;
}

bool InAnomaly(TimestampNs t, const std::vector<const Anomaly*>& list) {
  for (const Anomaly* a : list) {
    const TimestampNs end = a->state == AnomalyState::kResolved ? a->end_ns : a->last_seen_ns;
    if (t >= a->start_ns && t <= end) return true;
  }
  return false;
}

}  // namespace

std::vector<size_t> PickChartSeries(const std::vector<DetectedSeries>& series,
                                    const std::vector<Anomaly>& anomalies, size_t max_panels) {
  std::vector<std::pair<int, size_t>> ranked;  // (-worst severity or 1 when none, index)
  for (size_t i = 0; i < series.size(); ++i) {
    int worst = 1;
    for (const Anomaly* a : AnomaliesOf(series[i], anomalies)) {
      worst = std::min(worst, -static_cast<int>(a->severity));
    }
    ranked.emplace_back(worst, i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<size_t> out;
  for (size_t i = 0; i < ranked.size() && out.size() < max_panels; ++i) {
    out.push_back(ranked[i].second);
  }
  return out;
}

std::string RenderSeriesAnomalySvg(const std::vector<DetectedSeries>& series,
                                   const std::vector<Anomaly>& anomalies, size_t max_panels) {
  const std::vector<size_t> picked = PickChartSeries(series, anomalies, max_panels);
  const int panels = std::max<int>(1, static_cast<int>(picked.size()));
  const int height = panels * (kPanelHeight + kTitleHeight);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"#fff\"/>\n",
      kWidth, height);
  if (picked.empty()) {
    out += "<text x=\"10\" y=\"20\" font-size=\"13\">No series returned</text>\n</svg>\n";
    return out;
  }
  int y = 0;
  for (size_t idx : picked) {
    const DetectedSeries& s = series[idx];
    const std::vector<const Anomaly*> mine = AnomaliesOf(s, anomalies);
    SvgChart::Options o;
    o.width = kWidth;
    o.height = kPanelHeight;
    o.time_axis = true;
    o.y_from_zero = false;
    SvgChart chart(o);
    std::vector<XY> values, expected, lower, upper;
    std::vector<SvgChart::Marker> marks;
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const double x = static_cast<double>(s.samples[i].timestamp_ns);
      const DetectorOutput& d = s.outputs[i];
      values.push_back({x, s.samples[i].value});
      expected.push_back({x, d.expected});
      lower.push_back({x, d.lower});
      upper.push_back({x, d.upper});
      if (d.score >= 0.5 && InAnomaly(s.samples[i].timestamp_ns, mine)) {
        marks.push_back(
            {x, s.samples[i].value,
             fmt::format("{}: {:.4g} (expected {:.4g})", FormatIso8601(s.samples[i].timestamp_ns),
                         s.samples[i].value, d.expected)});
      }
    }
    chart.AddLine("band lower", std::move(lower), "#c8c8c8");
    chart.AddLine("band upper", std::move(upper), "#c8c8c8");
    chart.AddLine("expected", std::move(expected), "#7f7f7f");
    chart.AddLine("value", std::move(values), "#1f77b4");
    if (!marks.empty()) chart.AddMarkers("anomaly", std::move(marks), "#d62728");
    out += fmt::format("<text x=\"8\" y=\"{}\" font-size=\"13\">{}</text>\n", y + 16,
                       HtmlEscape(s.key.metric() + " " + FormatSeriesLabels(s.key.labels())));
    out += fmt::format("<g transform=\"translate(0,{})\">\n", y + kTitleHeight);
    out += chart.Render();
    out += "</g>\n";
    y += kPanelHeight + kTitleHeight;
  }
  out += "</svg>\n";
  return out;
}

namespace {

struct Raster {
  int w = 0, h = 0;
  std::vector<uint8_t> rgb;
  Raster(int width, int height) : w(width), h(height), rgb(size_t(width) * height * 3, 255) {}
  void Set(int x, int y, uint32_t c) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
    p[0] = uint8_t(c >> 16);
    p[1] = uint8_t(c >> 8);
    p[2] = uint8_t(c);
  }
  void VLine(int x, int y0, int y1, uint32_t c) {
    if (y0 > y1) std::swap(y0, y1);
    for (int y = y0; y <= y1; ++y) Set(x, y, c);
  }
  void Line(int x0, int y0, int x1, int y1, uint32_t c) {  // Bresenham, 2 px thick
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (int guard = 0; guard < 100000; ++guard) {
      Set(x0, y0, c);
      Set(x0, y0 + 1, c);
      if (x0 == x1 && y0 == y1) break;
      int e2 = 2 * err;
      if (e2 >= dy) err += dy, x0 += sx;
      if (e2 <= dx) err += dx, y0 += sy;
    }
  }
  void Dot(int x, int y, uint32_t c) {
    for (int dy = -3; dy <= 3; ++dy) {
      for (int dx = -3; dx <= 3; ++dx) {
        if (dx * dx + dy * dy <= 10) Set(x + dx, y + dy, c);
      }
    }
  }
};

void PutU32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Chunk(std::string& png, const char* type, const std::string& data) {
  PutU32(png, static_cast<uint32_t>(data.size()));
  std::string body(type, 4);
  body += data;
  png += body;
  PutU32(png, static_cast<uint32_t>(
                  crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

std::string EncodePng(const Raster& r) {
  std::string raw;
  raw.reserve(size_t(r.h) * (size_t(r.w) * 3 + 1));
  for (int y = 0; y < r.h; ++y) {
    raw.push_back(0);  // filter: none
    raw.append(reinterpret_cast<const char*>(&r.rgb[size_t(y) * r.w * 3]), size_t(r.w) * 3);
  }
  uLongf n = compressBound(uLong(raw.size()));
  std::string z(n, '\0');
  compress2(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
            uLong(raw.size()), 6);
  z.resize(n);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  PutU32(ihdr, uint32_t(r.w));
  PutU32(ihdr, uint32_t(r.h));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  Chunk(png, "IHDR", ihdr);
  Chunk(png, "IDAT", z);
  Chunk(png, "IEND", "");
  return png;
}

}  // namespace

std::string RenderSeriesAnomalyPng(const std::vector<DetectedSeries>& series,
                                   const std::vector<Anomaly>& anomalies, size_t max_panels) {
  const std::vector<size_t> picked = PickChartSeries(series, anomalies, max_panels);
  constexpr int kPanel = 220, kMargin = 12;
  Raster r(kWidth, kPanel * std::max<int>(1, static_cast<int>(picked.size())));
  int top = 0;
  for (size_t idx : picked) {
    const DetectedSeries& s = series[idx];
    const std::vector<const Anomaly*> mine = AnomaliesOf(s, anomalies);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t i = 0; i < s.samples.size(); ++i) {
      for (double v : {s.samples[i].value, s.outputs[i].lower, s.outputs[i].upper}) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
    }
    if (!(lo < hi)) lo = (std::isfinite(lo) ? lo : 0) - 1, hi = lo + 2;
    const double t0 = s.samples.empty() ? 0 : double(s.samples.front().timestamp_ns);
    const double t1 = s.samples.empty() ? 1 : double(s.samples.back().timestamp_ns);
    const double span = t1 > t0 ? t1 - t0 : 1;
    auto px = [&](double t) { return kMargin + int((t - t0) / span * (kWidth - 2 * kMargin)); };
    auto py = [&](double v) {
      return top + kPanel - kMargin - int((v - lo) / (hi - lo) * (kPanel - 2 * kMargin));
    };
    for (int x = 0; x < kWidth; ++x) r.Set(x, top + kPanel - 1, 0xdddddd);  // separator
    // Each point's band and anomaly shading fill the columns up to the next point.
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const int x0 = px(double(s.samples[i].timestamp_ns));
      const int x1 = i + 1 < s.samples.size()
                         ? std::max(x0, px(double(s.samples[i + 1].timestamp_ns)) - 1)
                         : x0;
      const DetectorOutput& d = s.outputs[i];
      const bool shaded = InAnomaly(s.samples[i].timestamp_ns, mine);
      const bool band = std::isfinite(d.lower) && std::isfinite(d.upper);
      for (int x = x0; x <= x1; ++x) {
        if (shaded) r.VLine(x, top + 2, top + kPanel - 3, 0xfbe0e0);
        if (band) r.VLine(x, py(std::max(d.lower, lo)), py(std::min(d.upper, hi)), 0xe4e4e4);
      }
    }
    auto polyline = [&](auto value_at, uint32_t color) {
      bool have = false;
      int px0 = 0, py0 = 0;
      for (size_t i = 0; i < s.samples.size(); ++i) {
        const double v = value_at(i);
        if (!std::isfinite(v)) {
          have = false;
          continue;
        }
        const int x = px(double(s.samples[i].timestamp_ns)), y = py(v);
        if (have) r.Line(px0, py0, x, y, color);
        px0 = x, py0 = y, have = true;
      }
    };
    polyline([&](size_t i) { return s.outputs[i].expected; }, 0x7f7f7f);
    polyline([&](size_t i) { return s.samples[i].value; }, 0x1f77b4);
    for (size_t i = 0; i < s.samples.size(); ++i) {
      if (s.outputs[i].score >= 0.5 && InAnomaly(s.samples[i].timestamp_ns, mine) &&
          std::isfinite(s.samples[i].value)) {
        r.Dot(px(double(s.samples[i].timestamp_ns)), py(s.samples[i].value), 0xd62728);
      }
    }
    top += kPanel;
  }
  return EncodePng(r);
}

}  // namespace inferscope
