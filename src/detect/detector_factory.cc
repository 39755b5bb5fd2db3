#include "detect/detector_factory.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/clock.h"
#include "core/time_format.h"
#include "detect/band_detector.h"
#include "detect/baseline_drop_rule.h"
#include "detect/cusum_detector.h"
#include "detect/detector_common.h"
#include "detect/drift_detector.h"
#include "detect/ewma_chart_detector.h"
#include "detect/iqr_detector.h"
#include "detect/ratio_to_baseline_rule.h"
#include "detect/robust_z_detector.h"
#include "detect/seasonal_detector.h"
#include "detect/threshold_rule.h"
#include "detect/zscore_detector.h"

namespace inferscope {
namespace {

Result<double> ParseDouble(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || std::isnan(v)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a number", text));
  }
  return v;
}

// Reads typed options by key and remembers which keys were used, so leftovers (typos) are
// reported instead of silently ignored.
class ParamReader {
 public:
  ParamReader(std::string_view detector, std::span<const DetectorParam> params)
      : detector_(detector), params_(params), used_(params.size(), false) {}

  Status Double(std::string_view key, double* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    Result<double> d = ParseDouble(*v);
    if (!d.ok()) return Error(key, d.status().message());
    *out = *d;
    return Status::Ok();
  }

  Status UInt(std::string_view key, uint32_t* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    uint32_t n = 0;
    const char* end = v->data() + v->size();
    auto [ptr, ec] = std::from_chars(v->data(), end, n);
    if (ec != std::errc() || ptr != end) return Error(key, "'" + *v + "' is not a count");
    *out = n;
    return Status::Ok();
  }

  // 0 or 1.
  Status Flag(std::string_view key, bool* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (*v != "0" && *v != "1") return Error(key, "'" + *v + "' is not 0 or 1");
    *out = *v == "1";
    return Status::Ok();
  }

  Status Dir(std::string_view key, Direction* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    std::optional<Direction> d = DirectionByName(*v);
    if (!d) return Error(key, "'" + *v + "' is not above, below or both");
    *out = *d;
    return Status::Ok();
  }

  Status Duration(std::string_view key, int64_t* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    Result<int64_t> d = ParseDurationNs(*v);
    if (!d.ok()) return Error(key, d.status().message());
    *out = *d;
    return Status::Ok();
  }

  Status DurationList(std::string_view key, std::vector<int64_t>* out) {
    const std::string* v = Find(key);
    if (v == nullptr) return Status::Ok();
    out->clear();
    std::string_view rest = *v;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      Result<int64_t> d = ParseDurationNs(rest.substr(0, comma));
      if (!d.ok()) return Error(key, d.status().message());
      out->push_back(*d);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return Status::Ok();
  }

  // The common gates every detector has.
  template <typename Options>
  Status Common(Options* o) {
    INFERSCOPE_RETURN_IF_ERROR(Dir("direction", &o->direction));
    INFERSCOPE_RETURN_IF_ERROR(Double("min_abs_deviation", &o->min_abs_deviation));
    return UInt("min_points", &o->min_points);
  }

  Status Finish() const {
    for (size_t i = 0; i < params_.size(); ++i) {
      if (!used_[i]) {
        return Status::InvalidArgument(std::string(detector_) + ": unknown option '" +
                                       params_[i].key + "'");
      }
    }
    return Status::Ok();
  }

 private:
  const std::string* Find(std::string_view key) {
    const std::string* found = nullptr;
    for (size_t i = 0; i < params_.size(); ++i) {
      if (params_[i].key == key) {
        used_[i] = true;
        found = &params_[i].value;  // the last one wins
      }
    }
    return found;
  }

  Status Error(std::string_view key, const std::string& why) const {
    return Status::InvalidArgument(std::string(detector_) + ": option " + std::string(key) + ": " +
                                   why);
  }

  std::string_view detector_;
  std::span<const DetectorParam> params_;
  std::vector<bool> used_;
};

template <typename Detector, typename Options>
Result<std::unique_ptr<SeriesDetector>> Build(const Options& o, const ParamReader& r) {
  INFERSCOPE_RETURN_IF_ERROR(r.Finish());
  INFERSCOPE_RETURN_IF_ERROR(o.Validate());
  return std::unique_ptr<SeriesDetector>(std::make_unique<Detector>(o));
}

}  // namespace

Result<int64_t> ParseDurationNs(std::string_view text) { return ParseDuration(text); }

std::vector<std::string_view> DetectorNames() {
  return {"zscore",       "robust_z", "iqr",      "band",      "ewma_chart",
          "cusum",        "drift",    "seasonal", "threshold", "ratio_to_baseline",
          "baseline_drop"};
}

Result<std::unique_ptr<SeriesDetector>> MakeDetector(std::string_view name,
                                                     std::span<const DetectorParam> params) {
  ParamReader r(name, params);
  if (name == "zscore") {
    ZScoreOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("half_life", &o.half_life));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("threshold", &o.threshold));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<ZScoreDetector>(o, r);
  }
  if (name == "robust_z") {
    RobustZOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("threshold", &o.threshold));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<RobustZDetector>(o, r);
  }
  if (name == "iqr") {
    IqrOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("k", &o.k));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<IqrDetector>(o, r);
  }
  if (name == "band") {
    BandOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("k", &o.k));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("consecutive", &o.consecutive));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<BandDetector>(o, r);
  }
  if (name == "ewma_chart") {
    EwmaChartOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.Double("lambda", &o.lambda));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("sigma_limit", &o.sigma_limit));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("baseline_half_life", &o.baseline_half_life));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<EwmaChartDetector>(o, r);
  }
  if (name == "cusum") {
    CusumOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("k", &o.k));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("h", &o.h));
    INFERSCOPE_RETURN_IF_ERROR(r.Flag("hold", &o.hold));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<CusumDetector>(o, r);
  }
  if (name == "drift") {
    DriftOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("blocks", &o.blocks));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("threshold", &o.threshold));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<DriftDetector>(o, r);
  }
  if (name == "seasonal") {
    SeasonalOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.Duration("bin", &o.bin_ns));
    std::vector<int64_t> periods(o.periods.begin(), o.periods.end());
    INFERSCOPE_RETURN_IF_ERROR(r.DurationList("periods", &periods));
    if (periods.size() > o.periods.size()) {
      return Status::InvalidArgument("seasonal: at most 4 periods");
    }
    o.periods.fill(0);
    std::copy(periods.begin(), periods.end(), o.periods.begin());
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("history_bins", &o.history_bins));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("min_acf", &o.min_acf));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("threshold", &o.threshold));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("half_life_periods", &o.half_life_periods));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("fallback_window", &o.fallback_window));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<SeasonalDetector>(o, r);
  }
  if (name == "threshold") {
    ThresholdOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.Double("threshold", &o.threshold));
    INFERSCOPE_RETURN_IF_ERROR(r.Dir("direction", &o.direction));
    double ignore_zero = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.Double("ignore_zero", &ignore_zero));
    o.ignore_zero = ignore_zero != 0;
    return Build<ThresholdRule>(o, r);
  }
  if (name == "ratio_to_baseline") {
    RatioToBaselineOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.Double("k", &o.k));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.Common(&o));
    return Build<RatioToBaselineRule>(o, r);
  }
  if (name == "baseline_drop") {
    BaselineDropOptions o;
    INFERSCOPE_RETURN_IF_ERROR(r.Double("max_drop_pct", &o.max_drop_pct));
    INFERSCOPE_RETURN_IF_ERROR(r.Double("max_drop_abs", &o.max_drop_abs));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("window", &o.window));
    INFERSCOPE_RETURN_IF_ERROR(r.UInt("min_points", &o.min_points));
    return Build<BaselineDropRule>(o, r);
  }
  return Status::InvalidArgument("unknown detector '" + std::string(name) + "'");
}

Result<std::unique_ptr<SeriesDetector>> ParseDetectorSpec(std::string_view spec) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && (spec[i] == ' ' || spec[i] == '\t')) ++i;
    const size_t start = i;
    while (i < spec.size() && spec[i] != ' ' && spec[i] != '\t') ++i;
    if (i > start) words.push_back(spec.substr(start, i - start));
  }
  if (words.empty()) return Status::InvalidArgument("empty detector spec");
  std::vector<DetectorParam> params;
  for (size_t w = 1; w < words.size(); ++w) {
    const size_t eq = words[w].find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument("detector option '" + std::string(words[w]) +
                                     "' is not key=value");
    }
    params.push_back({std::string(words[w].substr(0, eq)), std::string(words[w].substr(eq + 1))});
  }
  return MakeDetector(words[0], params);
}

}  // namespace inferscope
