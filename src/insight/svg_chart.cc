#include "insight/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/clock.h"
#include "core/time_format.h"

namespace inferscope {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x93";  // "–", the absent value
constexpr double kCharWidth = 6.2;                  // px per character at font-size 11

constexpr std::array<std::string_view, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
                                                       "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
                                                       "#bab0ac", "#e15759"};

// Coordinates with one decimal; -0.0 is printed as 0 so output does not depend on rounding
// direction.
std::string C(double v) {
  double r = std::round(v * 10) / 10;
  if (r == 0) r = 0;
  return fmt::format("{:.1f}", r);
}

// Fixed decimals with thousands separators in the integer part.
std::string FormatFixed(double v, int decimals) {
  std::string digits = fmt::format("{:.{}f}", std::fabs(v), std::max(decimals, 0));
  size_t dot = digits.find('.');
  size_t int_len = dot == std::string::npos ? digits.size() : dot;
  std::string out;
  bool nonzero = digits.find_first_not_of("0.") != std::string::npos;
  if (v < 0 && nonzero) out += '-';
  for (size_t i = 0; i < int_len; ++i) {
    if (i > 0 && (int_len - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out.append(digits, int_len, std::string::npos);
  return out;
}

// Decimals needed to tell ticks `step` apart.
int DecimalsFor(double step) {
  if (!(step > 0)) return 0;
  return std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 9);
}

// `magnitude` is the largest |tick| on the axis, so all ticks share one suffix (k, M).
std::string FormatTick(double v, double step, double magnitude, ValueFormat format) {
  if (std::fabs(v) < step * 1e-9) v = 0;
  if (v == 0 && format != ValueFormat::kPercent && format != ValueFormat::kUsd) return "0";
  switch (format) {
    case ValueFormat::kPercent:
      return FormatFixed(v * 100, DecimalsFor(step * 100)) + "%";
    case ValueFormat::kUsd: {
      std::string s = FormatFixed(v, std::max(DecimalsFor(step), step < 1 ? 2 : 0));
      return s[0] == '-' ? "-$" + s.substr(1) : "$" + s;
    }
    case ValueFormat::kNumber:
    case ValueFormat::kCount:
    case ValueFormat::kMilliseconds:
      break;
  }
  if (magnitude >= 1e7) return FormatFixed(v / 1e6, DecimalsFor(step / 1e6)) + "M";
  if (magnitude >= 1e4) return FormatFixed(v / 1e3, DecimalsFor(step / 1e3)) + "k";
  return FormatFixed(v, DecimalsFor(step));
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days, the inverse of DaysFromCivil.
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string FormatTimeLabel(int64_t ns, int64_t step, int64_t span) {
  const int64_t days = FloorDiv(ns, kNanosPerDay);
  const int64_t in_day = ns - days * kNanosPerDay;
  const Civil c = CivilFromDays(days);
  const auto hh = in_day / kNanosPerHour;
  const auto mm = in_day / kNanosPerMinute % 60;
  const auto ss = in_day / kNanosPerSecond % 60;
  const auto ms = in_day / kNanosPerMilli % 1000;
  if (step >= kNanosPerDay) return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  if (step < kNanosPerSecond) return fmt::format("{:02}:{:02}:{:02}.{:03}", hh, mm, ss, ms);
  if (step < kNanosPerMinute) return fmt::format("{:02}:{:02}:{:02}", hh, mm, ss);
  if (span >= kNanosPerDay) {
    return fmt::format("{:02}-{:02} {:02}:{:02}", c.month, c.day, hh, mm);
  }
  return fmt::format("{:02}:{:02}", hh, mm);
}

std::string Rgb(double r, double g, double b) {
  auto q = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0))); };
  return fmt::format("#{:02x}{:02x}{:02x}", q(r), q(g), q(b));
}

// Diverging blue (-1) - near-white (0) - red (+1).
std::string DivergingColor(double t) {
  t = std::clamp(t, -1.0, 1.0);
  const double w[3] = {247, 247, 247};
  const double red[3] = {178, 24, 43};
  const double blue[3] = {33, 102, 172};
  const double* end = t >= 0 ? red : blue;
  const double a = std::fabs(t);
  return Rgb(w[0] + (end[0] - w[0]) * a, w[1] + (end[1] - w[1]) * a, w[2] + (end[2] - w[2]) * a);
}

std::string Truncate(const std::string& s, size_t max_chars) {
  // Counts bytes, but never cuts inside a UTF-8 sequence.
  if (s.size() <= max_chars) return s;
  size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "\xE2\x80\xA6";
}

std::string SvgOpen(int width, int height, std::string_view label) {
  // Charts shrink with the page but never below 3/4 of their drawn width, so their 11 px text
  // stays at 8 px or more on a phone; the page's containers scroll them sideways instead.
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "style=\"min-width:{3}px\" role=\"img\" aria-label=\"{2}\" "
      "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,sans-serif\" font-size=\"11\">\n",
      width, height, HtmlEscape(label), (width * 3 + 3) / 4);
}

struct Scale {
  double d0, d1, r0, r1;
  double operator()(double v) const {
    if (d1 == d0) return (r0 + r1) / 2;
    return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }
};

// Merges runs of columns into at most max_points columns, keeping each run's largest y so
// peaks stay visible.
std::vector<XY> MergeColumns(const std::vector<XY>& points, size_t max_points, double* width) {
  if (points.size() <= max_points || max_points == 0) return points;
  const size_t group = (points.size() + max_points - 1) / max_points;
  std::vector<XY> out;
  for (size_t i = 0; i < points.size(); i += group) {
    double y = std::nan("");
    for (size_t j = i; j < std::min(points.size(), i + group); ++j) {
      if (std::isfinite(points[j].y) && !(y >= points[j].y)) y = points[j].y;
    }
    out.push_back({points[i].x, y});
  }
  *width *= static_cast<double>(group);
  return out;
}

}  // namespace

std::string FormatThousands(unsigned long long value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatValue(double value, ValueFormat format) {
  if (!std::isfinite(value)) return std::string(kDash);
  switch (format) {
    case ValueFormat::kCount:
      return FormatFixed(std::round(value), 0);
    case ValueFormat::kMilliseconds:
      return FormatFixed(value, 1) + " ms";
    case ValueFormat::kPercent: {
      const double pct = value * 100;
      const double a = std::fabs(pct);
      if (a == 0) return "0%";
      if (a >= 10) return FormatFixed(pct, 1) + "%";
      if (a >= 0.1) return FormatFixed(pct, 2) + "%";
      return fmt::format("{:.2g}%", pct);
    }
    case ValueFormat::kUsd: {
      const double a = std::fabs(value);
      std::string s;
      if (a == 0) {
        s = "0.00";
      } else if (a >= 1) {
        s = FormatFixed(a, 2);
      } else {
        // Four significant digits, trailing zeros trimmed down to two decimals.
        const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(a))), 2, 12);
        s = fmt::format("{:.{}f}", a, decimals);
        while (s.size() > 4 && s.back() == '0' && s.size() - s.find('.') > 3) s.pop_back();
      }
      return (value < 0 ? "-$" : "$") + s;
    }
    case ValueFormat::kNumber:
      break;
  }
  const double a = std::fabs(value);
  if (a == 0) return "0";
  if (a >= 1000) return FormatFixed(value, 0);
  if (a >= 10) return FormatFixed(value, 1);
  if (a >= 1) return FormatFixed(value, 2);
  return fmt::format("{:.3g}", value);
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

AxisTicks NiceTicks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), std::fabs(hi))) {
    if (lo == 0) {
      hi = 1;
    } else {
      const double pad = std::fabs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
  }
  target = std::max(target, 1);
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  const double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
  const double k0 = std::floor(lo / step + 1e-9);
  const double k1 = std::ceil(hi / step - 1e-9);
  AxisTicks t;
  t.step = step;
  t.lo = k0 * step;
  t.hi = k1 * step;
  for (double k = k0; k <= k1; k += 1) t.values.push_back(k * step);
  return t;
}

std::vector<TimeTick> TimeTicks(double lo_ns, double hi_ns, int target) {
  std::vector<TimeTick> ticks;
  if (!std::isfinite(lo_ns) || !std::isfinite(hi_ns)) return ticks;
  if (lo_ns > hi_ns) std::swap(lo_ns, hi_ns);
  const auto lo = static_cast<int64_t>(std::ceil(lo_ns));
  const auto hi = static_cast<int64_t>(std::floor(hi_ns));
  const int64_t span = std::max<int64_t>(hi - lo, 0);
  target = std::max(target, 1);
  static constexpr std::array<int64_t, 31> kSteps = {
      kNanosPerMilli,       2 * kNanosPerMilli,   5 * kNanosPerMilli,   10 * kNanosPerMilli,
      20 * kNanosPerMilli,  50 * kNanosPerMilli,  100 * kNanosPerMilli, 200 * kNanosPerMilli,
      500 * kNanosPerMilli, kNanosPerSecond,      2 * kNanosPerSecond,  5 * kNanosPerSecond,
      10 * kNanosPerSecond, 15 * kNanosPerSecond, 30 * kNanosPerSecond, kNanosPerMinute,
      2 * kNanosPerMinute,  5 * kNanosPerMinute,  10 * kNanosPerMinute, 15 * kNanosPerMinute,
      30 * kNanosPerMinute, kNanosPerHour,        2 * kNanosPerHour,    3 * kNanosPerHour,
      6 * kNanosPerHour,    12 * kNanosPerHour,   kNanosPerDay,         2 * kNanosPerDay,
      7 * kNanosPerDay,     14 * kNanosPerDay,    28 * kNanosPerDay};
  int64_t step = 0;
  for (int64_t s : kSteps) {
    if (span / s <= target) {
      step = s;
      break;
    }
  }
  if (step == 0) {
    const AxisTicks days =
        NiceTicks(0, static_cast<double>(span) / static_cast<double>(kNanosPerDay), target);
    step = static_cast<int64_t>(days.step) * kNanosPerDay;
  }
  for (int64_t t = FloorDiv(lo + step - 1, step) * step; t <= hi; t += step) {
    ticks.push_back({static_cast<double>(t), FormatTimeLabel(t, step, span)});
  }
  if (ticks.empty()) ticks.push_back({static_cast<double>(lo), FormatTimeLabel(lo, step, span)});
  return ticks;
}

std::vector<XY> DownsampleMinMax(std::span<const XY> points, size_t max_points) {
  if (points.size() <= max_points || max_points < 4) {
    return std::vector<XY>(points.begin(), points.end());
  }
  const size_t buckets = max_points / 2;
  const size_t n = points.size();
  std::vector<XY> out;
  out.reserve(max_points + buckets);
  for (size_t b = 0; b < buckets; ++b) {
    const size_t begin = b * n / buckets;
    const size_t end = (b + 1) * n / buckets;
    size_t imin = end, imax = end;
    bool has_gap = false;
    for (size_t i = begin; i < end; ++i) {
      if (!std::isfinite(points[i].y)) {
        has_gap = true;
        continue;
      }
      if (imin == end || points[i].y < points[imin].y) imin = i;
      if (imax == end || points[i].y > points[imax].y) imax = i;
    }
    if (imin == end) {
      out.push_back({points[begin].x, std::nan("")});
      continue;
    }
    out.push_back(points[std::min(imin, imax)]);
    if (imin != imax) out.push_back(points[std::max(imin, imax)]);
    if (has_gap) out.push_back({points[end - 1].x, std::nan("")});
  }
  return out;
}

SvgChart::SvgChart(Options options) : options_(std::move(options)) {}

std::string_view SvgChart::PaletteColor(size_t i) { return kPalette[i % kPalette.size()]; }

void SvgChart::SetKind(Kind kind) {
  assert((kind_ == Kind::kNone || kind_ == kind) && "SvgChart: one kind of content per chart");
  kind_ = kind;
}

std::string SvgChart::NextColor() { return std::string(PaletteColor(next_color_++)); }

void SvgChart::AddLine(std::string name, std::vector<XY> points, std::string color) {
  SetKind(Kind::kXY);
  Series s;
  s.name = std::move(name);
  s.color = color.empty() ? NextColor() : std::move(color);
  s.style = SeriesStyle::kLine;
  s.points = points.size() > options_.max_points_per_series
                 ? DownsampleMinMax(points, options_.max_points_per_series)
                 : std::move(points);
  series_.push_back(std::move(s));
}

void SvgChart::AddColumns(std::string name, std::vector<XY> points, double width_x,
                          std::string color) {
  SetKind(Kind::kXY);
  Series s;
  s.name = std::move(name);
  s.color = color.empty() ? NextColor() : std::move(color);
  s.style = SeriesStyle::kColumns;
  s.width_x = width_x;
  s.points = MergeColumns(points, options_.max_points_per_series, &s.width_x);
  series_.push_back(std::move(s));
}

void SvgChart::AddMarkers(std::string name, std::vector<Marker> markers, std::string color,
                          MarkerShape shape) {
  SetKind(Kind::kXY);
  marker_sets_.push_back({std::move(name), std::move(color), shape, std::move(markers)});
}

void SvgChart::SetBars(std::vector<Bar> bars, std::string color) {
  SetKind(Kind::kBars);
  bars_ = std::move(bars);
  bar_color_ = color.empty() ? NextColor() : std::move(color);
}

void SvgChart::SetHeatmap(std::vector<std::string> labels, std::vector<double> values) {
  SetKind(Kind::kHeatmap);
  assert(values.size() == labels.size() * labels.size());
  heat_labels_ = std::move(labels);
  heat_values_ = std::move(values);
  heat_values_.resize(heat_labels_.size() * heat_labels_.size(), std::nan(""));
}

std::string SvgChart::Render() const {
  switch (kind_) {
    case Kind::kXY:
      return RenderXY();
    case Kind::kBars:
      return RenderBars();
    case Kind::kHeatmap:
      return RenderHeatmap();
    case Kind::kNone:
      break;
  }
  return RenderEmpty(options_.width, options_.height);
}

std::string SvgChart::RenderEmpty(int width, int height) const {
  std::string out = SvgOpen(width, height, "No data");
  out += fmt::format(
      "<rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#ddd\"/>\n",
      width - 1, height - 1);
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888\" font-size=\"14\">No "
      "data</text>\n</svg>\n",
      width / 2, height / 2);
  return out;
}

std::string SvgChart::RenderXY() const {
  const int W = options_.width;
  const int H = options_.height;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  bool any_y = false;
  auto take = [&](double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
    any_y = true;
  };
  for (const Series& s : series_) {
    for (const XY& p : s.points) {
      take(p.x, p.y);
      if (s.style == SeriesStyle::kColumns && std::isfinite(p.y)) take(p.x + s.width_x, 0);
    }
  }
  for (const MarkerSet& m : marker_sets_) {
    for (const Marker& mk : m.markers) take(mk.x, mk.y);
  }
  if (!any_y) return RenderEmpty(W, H);

  if (options_.y_from_zero) {
    ymin = std::min(ymin, 0.0);
    ymax = std::max(ymax, 0.0);
  }
  const AxisTicks yt = NiceTicks(ymin, ymax, 5);
  std::vector<std::string> ylabels;
  size_t ylabel_len = 0;
  for (double v : yt.values) {
    ylabels.push_back(
        FormatTick(v, yt.step, std::max(std::fabs(yt.lo), std::fabs(yt.hi)), options_.y_format));
    ylabel_len = std::max(ylabel_len, ylabels.back().size());
  }
  const double left = std::max(36.0, 12 + kCharWidth * static_cast<double>(ylabel_len));
  const double right = 26;  // half a time label, so the last one is not clipped

  // Legend rows, wrapped to the plot width.
  struct LegendItem {
    std::string name, color;
    bool marker;
    MarkerShape shape;
  };
  std::vector<LegendItem> legend;
  for (const Series& s : series_) {
    if (!s.name.empty()) legend.push_back({s.name, s.color, false, MarkerShape::kCircle});
  }
  for (const MarkerSet& m : marker_sets_) {
    if (!m.name.empty() && !m.markers.empty()) legend.push_back({m.name, m.color, true, m.shape});
  }
  std::vector<std::pair<double, int>> legend_pos;  // x, row
  {
    double x = left;
    int row = 0;
    for (const LegendItem& item : legend) {
      const double w = 22 + kCharWidth * static_cast<double>(Truncate(item.name, 40).size()) + 12;
      if (x + w > W - right && x > left) {
        x = left;
        ++row;
      }
      legend_pos.push_back({x, row});
      x += w;
    }
  }
  const int legend_rows = legend.empty() ? 0 : legend_pos.back().second + 1;
  const double top = 10 + legend_rows * 16 + (options_.y_label.empty() ? 0 : 14) + 6;
  const double bottom = 24;
  const double plot_h = H - top - bottom;
  const double plot_w = W - left - right;

  double xlo = xmin, xhi = xmax;
  std::vector<std::pair<double, std::string>> xticks;
  if (options_.time_axis) {
    if (xhi <= xlo) {
      xlo -= static_cast<double>(kNanosPerMinute);
      xhi += static_cast<double>(kNanosPerMinute);
    }
    const int target = std::max(2, static_cast<int>(plot_w / 110));
    for (TimeTick& t : TimeTicks(xlo, xhi, target)) xticks.push_back({t.ns, std::move(t.label)});
  } else {
    const AxisTicks xt = NiceTicks(xlo, xhi, std::max(2, static_cast<int>(plot_w / 80)));
    xlo = xt.lo;
    xhi = xt.hi;
    for (double v : xt.values)
      xticks.push_back({v, FormatTick(v, xt.step, std::max(std::fabs(xt.lo), std::fabs(xt.hi)),
                                      ValueFormat::kNumber)});
  }
  const Scale sx{xlo, xhi, left, left + plot_w};
  const Scale sy{yt.lo, yt.hi, top + plot_h, top};

  std::string out = SvgOpen(W, H, options_.y_label.empty() ? "chart" : options_.y_label);
  // Legend.
  for (size_t i = 0; i < legend.size(); ++i) {
    const double lx = legend_pos[i].first;
    const double ly = 12 + legend_pos[i].second * 16;
    if (legend[i].marker && legend[i].shape == MarkerShape::kDiamond) {
      out += fmt::format("<path d=\"M{},{}L{},{}L{},{}L{},{}Z\" fill=\"{}\"/>", C(lx + 8),
                         C(ly - 9), C(lx + 13), C(ly - 4), C(lx + 8), C(ly + 1), C(lx + 3),
                         C(ly - 4), legend[i].color);
    } else if (legend[i].marker) {
      out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>", C(lx + 8), C(ly - 4),
                         legend[i].color);
    } else {
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"4\" fill=\"{}\"/>", C(lx),
                         C(ly - 6), legend[i].color);
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#333\">{}</text>\n", C(lx + 22), C(ly),
                       HtmlEscape(Truncate(legend[i].name, 40)));
  }
  if (!options_.y_label.empty()) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#666\">{}</text>\n", C(4), C(top - 8),
                       HtmlEscape(options_.y_label));
  }
  // Grid and axes.
  out += "<g stroke=\"#e6e6e6\" stroke-width=\"1\">";
  for (double v : yt.values) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", C(left), C(sy(v)),
                       C(left + plot_w), C(sy(v)));
  }
  out += "</g>\n<g fill=\"#555\" text-anchor=\"end\">";
  for (size_t i = 0; i < yt.values.size(); ++i) {
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", C(left - 6), C(sy(yt.values[i]) + 4),
                       ylabels[i]);
  }
  out += "</g>\n";
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\n", C(left),
                     C(top + plot_h), C(left + plot_w), C(top + plot_h));
  out += "<g fill=\"#555\" text-anchor=\"middle\">";
  for (const auto& [x, label] : xticks) {
    if (x < xlo || x > xhi) continue;
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>"
        "<text x=\"{0}\" y=\"{3}\">{4}</text>",
        C(sx(x)), C(top + plot_h), C(top + plot_h + 4), C(top + plot_h + 16), HtmlEscape(label));
  }
  out += "</g>\n";

  auto x_text = [&](double x) {
    return options_.time_axis ? FormatIso8601(static_cast<TimestampNs>(x))
                              : FormatValue(x, ValueFormat::kNumber);
  };
  // Columns first, so lines and markers are drawn over them.
  for (const Series& s : series_) {
    if (s.style != SeriesStyle::kColumns) continue;
    out += fmt::format("<g fill=\"{}\">", s.color);
    const double w = std::max(1.0, sx(xlo + s.width_x) - sx(xlo) - (s.points.size() > 200 ? 0 : 1));
    for (const XY& p : s.points) {
      if (!std::isfinite(p.y) || !std::isfinite(p.x)) continue;
      const double y0 = sy(0), y1 = sy(p.y);
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>",
          C(sx(p.x)), C(std::min(y0, y1)), C(w), C(std::fabs(y0 - y1)), HtmlEscape(x_text(p.x)),
          FormatValue(p.y, options_.y_format));
    }
    out += "</g>\n";
  }
  for (const Series& s : series_) {
    if (s.style != SeriesStyle::kLine) continue;
    std::string d;
    std::vector<XY> dots;
    const size_t n = s.points.size();
    for (size_t i = 0; i < n; ++i) {
      const XY& p = s.points[i];
      if (!std::isfinite(p.y) || !std::isfinite(p.x)) continue;
      const bool prev_ok = i > 0 && std::isfinite(s.points[i - 1].y);
      const bool next_ok = i + 1 < n && std::isfinite(s.points[i + 1].y);
      if (!prev_ok && !next_ok) dots.push_back(p);
      d += fmt::format("{}{},{}", prev_ok ? "L" : "M", C(sx(p.x)), C(sy(p.y)));
    }
    out += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.75\" "
        "stroke-linejoin=\"round\"><title>{}</title></path>\n",
        d, s.color, HtmlEscape(s.name));
    for (const XY& p : dots) {
      out += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"><title>{}: {}</title></circle>\n",
          C(sx(p.x)), C(sy(p.y)), s.color, HtmlEscape(s.name), FormatValue(p.y, options_.y_format));
    }
  }
  for (const MarkerSet& m : marker_sets_) {
    out += fmt::format("<g fill=\"{}\" stroke=\"#fff\" stroke-width=\"1\">", m.color);
    for (const Marker& mk : m.markers) {
      if (!std::isfinite(mk.x) || !std::isfinite(mk.y)) continue;
      const double cx = sx(mk.x), cy = sy(mk.y);
      const std::string title = fmt::format("<title>{}</title>", HtmlEscape(mk.tooltip));
      if (m.shape == MarkerShape::kDiamond) {
        out += fmt::format("<path d=\"M{},{}L{},{}L{},{}L{},{}Z\">{}</path>", C(cx), C(cy - 5),
                           C(cx + 5), C(cy), C(cx), C(cy + 5), C(cx - 5), C(cy), title);
      } else {
        out +=
            fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4.5\">{}</circle>", C(cx), C(cy), title);
      }
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

std::string SvgChart::RenderBars() const {
  const int W = options_.width;
  double vmin = 0, vmax = -INFINITY;
  size_t label_len = 0;
  for (const Bar& b : bars_) {
    label_len = std::max(label_len, Truncate(b.label, 24).size());
    if (!std::isfinite(b.value)) continue;
    vmin = std::min(vmin, b.value);
    vmax = std::max(vmax, b.value);
  }
  if (bars_.empty()) return RenderEmpty(W, 80);
  if (!std::isfinite(vmax)) vmax = 0;
  const double row_h = 22;
  const double top = 6;
  const double left = std::min(170.0, 10 + kCharWidth * static_cast<double>(label_len));
  const double right = 78;  // room for the value printed after the bar
  const double plot_w = W - left - right;
  const int target = std::max(2, static_cast<int>(plot_w / 70));
  const AxisTicks t = NiceTicks(vmin, vmax, target);
  const double plot_h = row_h * static_cast<double>(bars_.size());
  const int H = static_cast<int>(top + plot_h + 22);
  const Scale sx{t.lo, t.hi, left, left + plot_w};

  std::string out = SvgOpen(W, H, "bar chart");
  out += "<g stroke=\"#e6e6e6\">";
  for (double v : t.values) {
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", C(sx(v)), C(top),
                       C(top + plot_h));
  }
  out += "</g>\n<g fill=\"#555\" text-anchor=\"middle\">";
  for (double v : t.values) {
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\">{}</text>", C(sx(v)), C(top + plot_h + 14),
        FormatTick(v, t.step, std::max(std::fabs(t.lo), std::fabs(t.hi)), options_.y_format));
  }
  out += "</g>\n";
  for (size_t i = 0; i < bars_.size(); ++i) {
    const Bar& b = bars_[i];
    const double y = top + row_h * static_cast<double>(i);
    const std::string value = FormatValue(b.value, options_.y_format);
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}<title>{}</title></text>",
        C(left - 6), C(y + row_h / 2 + 4), HtmlEscape(Truncate(b.label, 24)), HtmlEscape(b.label));
    double end = sx(0);
    if (std::isfinite(b.value)) {
      const double x0 = sx(std::min(0.0, b.value)), x1 = sx(std::max(0.0, b.value));
      end = x1;
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: "
          "{}</title></rect>",
          C(x0), C(y + 3), C(std::max(x1 - x0, 0.5)), C(row_h - 6), bar_color_, HtmlEscape(b.label),
          value);
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#333\">{}</text>\n", C(end + 4),
                       C(y + row_h / 2 + 4), value);
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n",
                     C(sx(0)), C(top), C(top + plot_h));
  out += "</svg>\n";
  return out;
}

std::string SvgChart::RenderHeatmap() const {
  const size_t n = heat_labels_.size();
  if (n == 0) return RenderEmpty(options_.width, 120);
  size_t label_len = 0;
  for (const std::string& l : heat_labels_) label_len = std::max(label_len, Truncate(l, 22).size());
  const double text_w = kCharWidth * static_cast<double>(label_len);
  const double left = 10 + text_w;
  const double top = 14 + text_w * 0.71;  // column labels are turned 45°
  const double legend_w = 56;
  const double avail = options_.width - left - legend_w - text_w * 0.71;
  const double cell = std::clamp(avail / static_cast<double>(n), 26.0, 60.0);
  const int W = static_cast<int>(left + cell * static_cast<double>(n) + legend_w + text_w * 0.71);
  const int H = static_cast<int>(top + cell * static_cast<double>(n) + 12);

  std::string out = SvgOpen(W, H, "correlation heatmap");
  out += "<g fill=\"#333\">";
  for (size_t i = 0; i < n; ++i) {
    const std::string label = HtmlEscape(Truncate(heat_labels_[i], 22));
    const double cx = left + cell * (static_cast<double>(i) + 0.5);
    const double cy = top + cell * (static_cast<double>(i) + 0.5);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", C(left - 6),
                       C(cy + 4), label);
    out += fmt::format("<text x=\"{0}\" y=\"{1}\" transform=\"rotate(-45 {0} {1})\">{2}</text>",
                       C(cx + 3), C(top - 6), label);
  }
  out += "</g>\n<g text-anchor=\"middle\">";
  const int font = cell < 34 ? 10 : 12;
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      const double v = heat_values_[r * n + c];
      const bool ok = std::isfinite(v);
      const double x = left + cell * static_cast<double>(c);
      const double y = top + cell * static_cast<double>(r);
      const std::string text =
          ok ? (v < 0 ? "\xE2\x88\x92" : "") + fmt::format("{:.2f}", std::fabs(v))
             : std::string(kDash);
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\">"
          "<title>{} / {}: {}</title></rect>",
          C(x), C(y), C(cell), C(cell), ok ? DivergingColor(v) : "#cccccc",
          HtmlEscape(heat_labels_[r]), HtmlEscape(heat_labels_[c]), ok ? text : "n/a");
      out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{}\">{}</text>",
                         C(x + cell / 2), C(y + cell / 2 + font * 0.35), font,
                         ok && std::fabs(v) > 0.55 ? "#fff" : "#222", text);
    }
    out += "\n";
  }
  out += "</g>\n";
  // Colour legend: eleven steps from +1 (top) to -1 (bottom).
  const double lx = left + cell * static_cast<double>(n) + 14;
  const double lh = cell * static_cast<double>(n) / 11;
  for (int i = 0; i <= 10; ++i) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"{}\" fill=\"{}\"/>", C(lx),
                       C(top + lh * i), C(lh + 0.5), DivergingColor(1.0 - 0.2 * i));
  }
  out += fmt::format(
      "\n<g fill=\"#555\"><text x=\"{0}\" y=\"{1}\">+1</text><text x=\"{0}\" y=\"{2}\">0</text>"
      "<text x=\"{0}\" y=\"{3}\">\xE2\x88\x92"
      "1</text></g>\n",
      C(lx + 16), C(top + 8), C(top + cell * static_cast<double>(n) / 2 + 4),
      C(top + cell * static_cast<double>(n)));
  out += "</svg>\n";
  return out;
}

}  // namespace inferscope
