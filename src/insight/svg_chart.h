#ifndef INFERSCOPE_INSIGHT_SVG_CHART_H_
#define INFERSCOPE_INSIGHT_SVG_CHART_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace inferscope {

// How a number is shown on an axis, in a bar label or in a report table.
enum class ValueFormat {
  kNumber,        // "0.123", "4.56", "78.9", "12,345"
  kCount,         // rounded, thousands separators: "12,345"
  kMilliseconds,  // one decimal: "1,234.5 ms"
  kPercent,       // the value is a fraction 0..1: "1.23%"
  kUsd,           // "$1,234.56", below $1 up to 4 significant digits: "$0.004567"
};

// Formats `value`; NaN (absent) and infinities come out as "–" (U+2013), never "nan".
std::string FormatValue(double value, ValueFormat format);

// "12,345"
std::string FormatThousands(unsigned long long value);

// Escapes & < > " ' for HTML/SVG text and attribute values. Every string that came from a
// log (model names, request ids, paths) must pass through here before it is written.
std::string HtmlEscape(std::string_view text);

// Axis ticks on a 1-2-5 grid. `lo`/`hi` is the domain widened to whole steps, `values`
// the ticks inside it (lo and hi included).
struct AxisTicks {
  double lo = 0;
  double hi = 1;
  double step = 1;
  std::vector<double> values;
};

// About `target` ticks on a 1-2-5 grid covering [lo, hi]. Degenerate input is widened so the
// result always has lo < hi and step > 0: an empty range around v becomes a range that
// contains v (and 0 when v is 0), non-finite input gives [0, 1].
AxisTicks NiceTicks(double lo, double hi, int target = 5);

// A tick on a time axis: position (ns since the epoch, UTC) and label.
struct TimeTick {
  double ns = 0;
  std::string label;
};

// About `target` ticks on [lo_ns, hi_ns] at round UTC times (1 s, 5 min, 1 h, 1 d, ...).
// Labels depend on the span: "HH:MM:SS" for sub-minute steps, "HH:MM" within a day,
// "MM-DD HH:MM" across days, "YYYY-MM-DD" for steps of a day or more.
std::vector<TimeTick> TimeTicks(double lo_ns, double hi_ns, int target = 6);

struct XY {
  double x = 0;
  double y = 0;  // NaN = gap: the line is broken here
};

// Reduces `points` (sorted by x) to at most about `max_points` by splitting them into
// max_points / 2 equal-count buckets and keeping each bucket's minimum and maximum y, in x
// order, so spikes survive. A bucket that contains a NaN also emits a NaN after its extremes,
// so gaps survive at bucket resolution. Input at or below the limit is returned unchanged.
std::vector<XY> DownsampleMinMax(std::span<const XY> points, size_t max_points);

// Builds one self-contained SVG chart (no scripts, no external references; hover text via
// <title> elements) that scales to its container's width through its viewBox.
//
// A chart is one of three kinds, decided by the content given to it:
//  - XY: AddLine / AddColumns / AddMarkers; x is linear or time (Options::time_axis).
//  - Bars: SetBars; horizontal bars by category, for comparing models.
//  - Heatmap: SetHeatmap; an n x n matrix with a diverging colour scale.
// Mixing kinds is a programming error (asserted). Empty data renders a "No data" frame; a
// single point and all-equal values render without dividing by zero.
// Not thread-safe; Render() is const and may be called repeatedly.
class SvgChart {
 public:
  struct Options {
    int width = 600;         // viewBox width, px
    int height = 240;        // viewBox height, px (Bars and Heatmap compute their own)
    std::string y_label;     // small caption above the y axis ("ms")
    bool time_axis = false;  // XY: x values are ns since the epoch, UTC
    ValueFormat y_format = ValueFormat::kNumber;  // XY: y ticks; Bars: values and ticks
    bool y_from_zero = true;                      // XY: the y domain includes 0
    size_t max_points_per_series = 1500;          // XY lines are downsampled above this
  };

  enum class MarkerShape { kCircle, kDiamond };

  struct Marker {
    double x = 0;
    double y = 0;
    std::string tooltip;  // plain text, escaped on output
  };

  struct Bar {
    std::string label;
    double value = 0;  // NaN = absent: no bar, value shown as "–"
  };

  explicit SvgChart(Options options);

  // A line series; NaN y values break the line. Isolated points are drawn as dots.
  // An empty colour picks the next one from the palette.
  void AddLine(std::string name, std::vector<XY> points, std::string color = {});
  // Columns (vertical bars) from y = 0, each `width_x` x-units wide starting at its x.
  void AddColumns(std::string name, std::vector<XY> points, double width_x, std::string color = {});
  void AddMarkers(std::string name, std::vector<Marker> markers, std::string color,
                  MarkerShape shape = MarkerShape::kCircle);

  void SetBars(std::vector<Bar> bars, std::string color = {});

  // `values` is labels.size()² entries, row-major, expected in [-1, 1]; NaN cells are grey.
  void SetHeatmap(std::vector<std::string> labels, std::vector<double> values);

  std::string Render() const;

  // The colour of the `i`-th palette entry (wraps around).
  static std::string_view PaletteColor(size_t i);

 private:
  enum class Kind { kNone, kXY, kBars, kHeatmap };
  enum class SeriesStyle { kLine, kColumns };

  struct Series {
    std::string name;
    std::string color;
    SeriesStyle style = SeriesStyle::kLine;
    std::vector<XY> points;
    double width_x = 0;
  };
  struct MarkerSet {
    std::string name;
    std::string color;
    MarkerShape shape = MarkerShape::kCircle;
    std::vector<Marker> markers;
  };

  void SetKind(Kind kind);
  std::string NextColor();
  std::string RenderXY() const;
  std::string RenderBars() const;
  std::string RenderHeatmap() const;
  std::string RenderEmpty(int width, int height) const;

  Options options_;
  Kind kind_ = Kind::kNone;
  size_t next_color_ = 0;
  std::vector<Series> series_;
  std::vector<MarkerSet> marker_sets_;
  std::vector<Bar> bars_;
  std::string bar_color_;
  std::vector<std::string> heat_labels_;
  std::vector<double> heat_values_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_SVG_CHART_H_
