#include "core/series_key.h"

#include <algorithm>
#include <functional>
#include <tuple>

namespace inferscope {

SeriesKey::SeriesKey(std::string metric, std::vector<std::pair<std::string, std::string>> labels)
    : metric_(std::move(metric)), labels_(std::move(labels)) {
  std::sort(labels_.begin(), labels_.end());
}

std::string_view SeriesKey::Label(std::string_view name) const {
  for (const auto& [k, v] : labels_) {
    if (k == name) return v;
  }
  return {};
}

std::string SeriesKey::ToString() const {
  std::string out = metric_;
  if (labels_.empty()) return out;
  out += '{';
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (i) out += ',';
    out += labels_[i].first;
    out += "=\"";
    for (char c : labels_[i].second) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

size_t SeriesKey::Hash() const {
  std::hash<std::string> h;
  size_t seed = h(metric_);
  auto mix = [&seed](size_t v) { seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2); };
  for (const auto& [k, v] : labels_) {
    mix(h(k));
    mix(h(v));
  }
  return seed;
}

bool operator<(const SeriesKey& a, const SeriesKey& b) {
  return std::tie(a.metric_, a.labels_) < std::tie(b.metric_, b.labels_);
}

}  // namespace inferscope
