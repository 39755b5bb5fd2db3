#ifndef INFERSCOPE_CORE_SERIES_KEY_H_
#define INFERSCOPE_CORE_SERIES_KEY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace inferscope {

// One point of a series: (ts, value).
struct Sample {
  TimestampNs timestamp_ns = 0;
  double value = 0.0;
  friend bool operator==(const Sample&, const Sample&) = default;
};

// Identity of a series: a metric name plus labels kept sorted by name, so two keys with the
// same labels in any order compare and hash equal. Owns its strings.
class SeriesKey {
 public:
  SeriesKey() = default;
  SeriesKey(std::string metric, std::vector<std::pair<std::string, std::string>> labels);

  const std::string& metric() const { return metric_; }
  const std::vector<std::pair<std::string, std::string>>& labels() const { return labels_; }
  // The value of a label, or "" when absent.
  std::string_view Label(std::string_view name) const;

  // Prometheus-style text: metric{a="1",b="2"}.
  std::string ToString() const;
  size_t Hash() const;

  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  friend bool operator<(const SeriesKey& a, const SeriesKey& b);

 private:
  std::string metric_;
  std::vector<std::pair<std::string, std::string>> labels_;
};

struct SeriesKeyHash {
  size_t operator()(const SeriesKey& k) const { return k.Hash(); }
};

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_SERIES_KEY_H_
