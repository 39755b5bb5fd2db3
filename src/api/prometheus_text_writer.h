#ifndef INFERSCOPE_API_PROMETHEUS_TEXT_WRITER_H_
#define INFERSCOPE_API_PROMETHEUS_TEXT_WRITER_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inferscope {

using PromLabel = std::pair<std::string_view, std::string_view>;

// Appends the Prometheus text exposition format (version 0.0.4) to a string: one
// Family() header, then its samples. Escapes HELP text and label values as the format
// requires; label names and metric names are the caller's (they are code, not input).
// Not thread-safe; the output string is borrowed and must outlive the writer.
class PrometheusTextWriter {
 public:
  explicit PrometheusTextWriter(std::string* out) : out_(out) {}

  // "# HELP name help" and "# TYPE name type"; type is counter, gauge, histogram or untyped.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // "name{labels} value". `name` includes any suffix (_total, _bucket, _sum, _count).
  void Sample(std::string_view name, const std::vector<PromLabel>& labels, double value);
  void Sample(std::string_view name, std::initializer_list<PromLabel> labels, double value);

  // A histogram's samples: cumulative `_bucket` lines for every upper bound plus +Inf, then
  // `_sum` and `_count`. `counts` holds per-bucket (not cumulative) counts, one per bound
  // plus one for the overflow bucket.
  void Histogram(std::string_view name, const std::vector<PromLabel>& labels,
                 const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                 double sum);

 private:
  void Labels(const PromLabel* begin, const PromLabel* end, const PromLabel* extra);
  std::string* out_;
};

// A sample value as the format spells it: NaN, +Inf, -Inf, integers without exponent,
// everything else with enough digits to round-trip.
std::string FormatPrometheusValue(double value);

}  // namespace inferscope

#endif  // INFERSCOPE_API_PROMETHEUS_TEXT_WRITER_H_
