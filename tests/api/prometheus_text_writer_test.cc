#include "api/prometheus_text_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace inferscope {
namespace {

TEST(FormatPrometheusValueTest, SpellsSpecialValuesAsTheFormatDoes) {
  EXPECT_EQ(FormatPrometheusValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatPrometheusValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPrometheusValue(42), "42");
  EXPECT_EQ(FormatPrometheusValue(-3), "-3");
  EXPECT_EQ(FormatPrometheusValue(0.1), "0.1");
  EXPECT_EQ(FormatPrometheusValue(1e20), "1e+20");
}

TEST(FormatPrometheusValueTest, RoundTripsEveryDouble) {
  for (double v : {1.0 / 3.0, 2.5e-7, 123456.789012345, 0.30000000000000004}) {
    EXPECT_EQ(std::strtod(FormatPrometheusValue(v).c_str(), nullptr), v) << v;
  }
}

TEST(PrometheusTextWriterTest, WritesHeaderAndEscapedLabels) {
  std::string out;
  PrometheusTextWriter w(&out);
  w.Family("x_total", "counter", "Help with a \\ backslash\nand newline.");
  w.Sample("x_total", {{"model", "a\"b\\c\nd"}}, 3);
  w.Sample("x_total", {}, 1);
  EXPECT_EQ(out,
            "# HELP x_total Help with a \\\\ backslash\\nand newline.\n"
            "# TYPE x_total counter\n"
            "x_total{model=\"a\\\"b\\\\c\\nd\"} 3\n"
            "x_total 1\n");
}

TEST(PrometheusTextWriterTest, WritesCumulativeHistogramBuckets) {
  std::string out;
  PrometheusTextWriter w(&out);
  w.Histogram("h", {{"k", "v"}}, {1, 5}, {2, 0, 3}, 40.5);
  EXPECT_EQ(out,
            "h_bucket{k=\"v\",le=\"1\"} 2\n"
            "h_bucket{k=\"v\",le=\"5\"} 2\n"
            "h_bucket{k=\"v\",le=\"+Inf\"} 5\n"
            "h_sum{k=\"v\"} 40.5\n"
            "h_count{k=\"v\"} 5\n");
}

}  // namespace
}  // namespace inferscope
